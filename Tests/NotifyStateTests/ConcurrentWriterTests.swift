import Foundation
import Synchronization
import Testing

@testable import NotifyState

/// Writers exclude each other across stores (processes, replicas) and connections: every
/// read-then-write is serialized, so that of many concurrent deciders exactly one decides.
@Suite(.timeLimit(.minutes(2))) struct ConcurrentWriterTests {
    /// Store instances on one location, as many processes or replicas open it.
    static let stores = 4
    /// What the writers' lock may be waited for: the transactions of every thread queue for
    /// it, on a machine busy with the other tests. A wait that long is a failure (`busy`),
    /// not a wrong count, and the tests are about the counts.
    static let busyTimeout = Duration.seconds(30)

    @Test(arguments: StoreBackend.allCases)
    func incrementsFromEightThreadsOverFourStoresAreNeverLost(_ backend: StoreBackend) async throws {
        // A PostgreSQL store gives its threads a connection each (none waits for the pool).
        try await backend.withStores(count: Self.stores, busyTimeout: Self.busyTimeout, connections: 2) { stores, _ in
            try stores[0].write { (tx) throws(StateError) in try tx.setValue("0", for: "counter") }
            let failures = ConcurrentThreads.run(8) { thread in
                let store = stores[thread % stores.count]
                for _ in 0..<25 {
                    try store.write { (tx) throws(StateError) in
                        guard let counter = try tx.value("counter").flatMap({ Int($0) }) else {
                            throw StateError.failed(path: store.location, reason: "no counter")
                        }
                        try tx.setValue(String(counter + 1), for: "counter")
                    }
                }
            }
            #expect(failures.isEmpty)
            #expect(try stores[stores.count - 1].storedValue("counter") == "200", "8 threads × 25 increments")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func ofFortyConcurrentDecidersExactlyOneDecides(_ backend: StoreBackend) async throws {
        try await backend.withStores(count: Self.stores, busyTimeout: Self.busyTimeout, connections: 10) { stores, _ in
            let winners = Mutex<[Int]>([])
            let failures = ConcurrentThreads.run(40) { thread in
                let won = try stores[thread % stores.count].write { (tx) throws(StateError) -> Bool in
                    guard try tx.value("winner") == nil else { return false }
                    try tx.setValue("writer \(thread)", for: "winner")
                    return true
                }
                if won { winners.withLock { $0.append(thread) } }
            }
            #expect(failures.isEmpty)
            let won = winners.withLock { $0 }
            #expect(won.count == 1, "winners: \(won)")
            let winner = try stores[0].storedValue("winner")
            #expect(winner != nil && winner == won.first.map { "writer \($0)" })
        }
    }
}

/// Blocking work on threads of their own, all started together: neither the Swift concurrency
/// pool nor Dispatch's width-limited queues, which would run only a few at a time.
enum ConcurrentThreads {
    /// Runs `work(0)` … `work(count - 1)` each on a new thread, released together, and waits
    /// for them all (a minute at most); what went wrong, one line each.
    static func run(_ count: Int, _ work: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let failures = Mutex<[String]>([])
        let done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for index in 0..<count {
            done.enter()
            Thread {
                defer { done.leave() }
                start.wait()
                do {
                    try work(index)
                } catch {
                    failures.withLock { $0.append("thread \(index): \(error)") }
                }
            }.start()
        }
        for _ in 0..<count { start.signal() }
        if done.wait(timeout: .now() + 60) == .timedOut {
            failures.withLock { $0.append("still running after a minute") }
        }
        return failures.withLock { $0 }
    }
}
