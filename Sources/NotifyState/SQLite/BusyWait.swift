import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a process waits for the write lock another one holds: short sleeps growing from
/// 1 ms to 16 ms (with jitter), until `timeout` has passed since the first try.
///
/// SQLite's own busy timeout sleeps up to 100 ms between tries, so in a storm of hundreds of
/// processes the lock often sits free while every waiter sleeps; shorter sleeps hand it on
/// sooner, at the cost of a few more wake-ups.
final class BusyWait: Sendable {
    let timeout: Duration
    private let started = Mutex<ContinuousClock.Instant?>(nil)
    /// Set while the caller would rather fail at once than wait (``withoutWaiting(_:)``).
    private let impatient = Atomic<Bool>(false)

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// SQLite's busy handler: true to try again, false to give up (SQLITE_BUSY).
    func shouldRetry(afterTries tries: Int) -> Bool {
        if impatient.load(ordering: .relaxed) { return false }
        let now = ContinuousClock.now
        let start = started.withLock { start in
            if tries == 0 || start == nil { start = now }
            return start ?? now
        }
        guard now - start < timeout else { return false }
        let cap = 1 << min(tries, 4)  // 1, 2, 4, 8, 16 ms
        usleep(UInt32(1000 * cap / 2 + Int.random(in: 0...(1000 * cap / 2))))
        return true
    }

    /// Runs `body` with every busy wait answered "give up" (SQLITE_BUSY at once).
    func withoutWaiting<T>(_ body: () throws -> T) rethrows -> T {
        impatient.store(true, ordering: .relaxed)
        defer { impatient.store(false, ordering: .relaxed) }
        return try body()
    }
}
