import Foundation

/// Runs blocking work (socket calls, SQLite waiting on a lock) on a thread of its own: on the
/// Swift concurrency pool, or on Dispatch's width-limited global queue, blocking calls would
/// serialize concurrent work on a two-core machine.
public enum OwnThread {
    /// `work`'s result, computed on a new thread.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
