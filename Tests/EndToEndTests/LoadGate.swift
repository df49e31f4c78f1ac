/// Keeps the tests that load the machine on purpose (hundreds of processes at once, `kill -9`
/// loops) from running beside the tests that check a time bound.
///
/// Every ``CLI/run(_:env:input:timeout:secrets:wrapper:gated:sourceLocation:)`` holds it
/// shared; a heavy test holds it exclusively (and runs its own children ungated). Waiters are
/// served in order, so a heavy test is not starved by a stream of light ones.
actor LoadGate {
    static let shared = LoadGate()

    private var readers = 0
    private var writer = false
    private var queue: [(exclusive: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    /// Runs `body` holding the gate (exclusively or shared).
    nonisolated func with<T: Sendable>(exclusive: Bool, _ body: () async throws -> T) async rethrows -> T {
        await acquire(exclusive: exclusive)
        do {
            let result = try await body()
            await release(exclusive: exclusive)
            return result
        } catch {
            await release(exclusive: exclusive)
            throw error
        }
    }

    private func acquire(exclusive: Bool) async {
        if queue.isEmpty && !writer && (!exclusive || readers == 0) {
            take(exclusive: exclusive)
            return
        }
        await withCheckedContinuation { queue.append((exclusive, $0)) }
    }

    private func take(exclusive: Bool) {
        if exclusive { writer = true } else { readers += 1 }
    }

    private func release(exclusive: Bool) {
        if exclusive { writer = false } else { readers -= 1 }
        while let next = queue.first, !writer, !next.exclusive || readers == 0 {
            queue.removeFirst()
            take(exclusive: next.exclusive)
            next.continuation.resume()
            if next.exclusive { break }
        }
    }
}
