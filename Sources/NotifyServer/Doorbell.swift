import Synchronization

/// Wakes a background loop before its next poll: the outbox worker when a request has queued
/// something, so the SMS leaves at once; the duplicate recorder when a batch is full.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung (at once if it was rung since the last wait), or after `timeout`.
    func wait(atMost timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ringing = state.withLock { state -> Bool in
                if state.rung {
                    state.rung = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ringing {
                continuation.resume()
                return
            }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                // At worst this cuts a later wait short: one extra round of the worker.
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
    }
}
