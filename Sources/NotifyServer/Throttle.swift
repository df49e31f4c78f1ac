import Synchronization

/// Lets something happen at most once per `interval`: a log line about what a client can make
/// happen as often as it likes (a refused request, which a counter counts anyway), a poll
/// that need not run at every round.
final class Throttle: Sendable {
    let interval: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether it may happen now (and the time taken if so); `every`: another interval than
    /// the throttle's own, for this question (one that the configuration sets, and a reload may change).
    func allow(every other: Duration? = nil) -> Bool {
        last.withLock { last in
            if let last, ContinuousClock.now - last < (other ?? interval) { return false }
            last = .now
            return true
        }
    }
}
