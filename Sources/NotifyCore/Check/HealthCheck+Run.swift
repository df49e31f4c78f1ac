import Dispatch
import NotifyState
import Synchronization

extension HealthCheck {
    /// What the store and SMSPartner are given of the time left, so that they answer (or give
    /// up) before the whole check runs out of it.
    static let margin = Duration.milliseconds(300)

    /// Runs the check within `timeout`, whatever happens: the store and SMSPartner are asked
    /// at once, each on a thread of its own, and the report is made as soon as both answered,
    /// or when `timeout` has passed with an UNKNOWN report naming what did not answer (a store
    /// on a hung disk, a connection libcurl did not give up on). The threads left behind end
    /// with the process.
    public static func run(_ settings: Settings, stateDirectory: String, thresholds: CheckThresholds, timeout: Duration) -> CheckReport {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let now = settings.clock()
        let work = max(.milliseconds(100), timeout - margin)
        let facts = Mutex<(credits: CreditsFact?, store: StoreFacts?)>((nil, nil))
        let answered = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let store = StoreFacts.read(settings, directory: stateDirectory, now: now, window: thresholds.window,
                                        busyTimeout: min(.seconds(5), work / 2))
            facts.withLock { $0.store = store }
            answered.signal()
        }
        DispatchQueue.global().async {
            let credits = CreditsFact.fetch(settings, timeout: work)
            facts.withLock { $0.credits = credits }
            answered.signal()
        }
        for _ in 0..<2 {
            let left = max(.zero, deadline - clock.now)
            guard answered.wait(timeout: .now() + .milliseconds(Int(left.wholeMilliseconds))) == .success else { break }
        }
        let (credits, store) = facts.withLock { $0 }
        guard let credits, let store else {
            let waiting = [credits == nil ? "SMSPartner (GET /me)" : nil, store == nil ? "the state store" : nil].compactMap { $0 }
            return .unknown("timeout", "check timed out after \(DurationText.format(timeout)) waiting for \(waiting.joined(separator: " and "))")
        }
        return report(credits: credits, store: store, thresholds: thresholds, now: now, deadman: settings.configuration.deadman)
    }
}
