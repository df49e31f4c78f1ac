import Dispatch
import NotifyState
import PostgresNIO
import Synchronization

/// A connection of `PostgresClient`'s pool lent to a thread that is not in Swift concurrency.
///
/// The store's API is synchronous (the policy runs inside one transaction, called from
/// `serve`'s thread pool or a command's main thread), and the pool's is async. A task leases
/// the connection and suspends, without blocking a thread of the concurrency pool; the
/// calling thread uses the connection (its `EventLoopFuture` queries) and gives it back, which
/// ends the task and so returns the connection to the pool.
final class ConnectionLease: Sendable {
    enum Outcome {
        case connection(PostgresConnection)
        case failed(any Error)
    }

    private struct State: Sendable {
        var connection: PostgresConnection?
        var failure: (any Error)?
        var giveBack: CheckedContinuation<Void, Never>?
        /// The borrower stopped waiting (or is done): a connection lent after that goes straight back.
        var closed = false
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    /// In the leasing task: hands `connection` to the waiting thread and suspends until it is
    /// given back.
    func lend(_ connection: PostgresConnection) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let returnNow = state.withLock { state -> Bool in
                if state.closed { return true }
                state.connection = connection
                state.giveBack = continuation
                return false
            }
            if returnNow {
                continuation.resume()
            } else {
                ready.signal()
            }
        }
    }

    /// In the leasing task: the pool could not lend a connection.
    func fail(_ error: any Error) {
        let waiting = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.failure = error
            return true
        }
        if waiting { ready.signal() }
    }

    /// On the borrowing thread: waits at most `timeout` for the connection (nil: not yet).
    func wait(timeout: Duration) -> Outcome? {
        _ = ready.wait(timeout: .now() + .milliseconds(Int(max(timeout.wholeMilliseconds, 0))))
        return state.withLock { state -> Outcome? in
            if let connection = state.connection { return .connection(connection) }
            if let failure = state.failure { return .failed(failure) }
            return nil
        }
    }

    /// On the borrowing thread: stops waiting; a connection lent meanwhile or later goes
    /// straight back to the pool.
    func abandon() {
        giveBack()
    }

    /// On the borrowing thread, once done with the connection: returns it to the pool.
    func giveBack() {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            state.connection = nil
            defer { state.giveBack = nil }
            return state.giveBack
        }
        continuation?.resume()
    }
}
