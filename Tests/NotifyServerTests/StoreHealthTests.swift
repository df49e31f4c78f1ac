import Foundation
import GRDB
import Logging
import NotifyState
import Synchronization
import TestSupport
import Testing

@testable import NotifyServer

/// `/healthz`'s view of the store, on a real SQLite store: a heartbeat write, the failures the
/// real work reports, and one log line per change.
@Suite struct StoreHealthTests {
    static let damaged = StateError.corrupt(path: "/state/state.db", reason: "database disk image is malformed")

    func withStore(_ body: (SQLiteStateStore, String) async throws -> Void) async throws {
        let dir = try TemporaryDirectory(prefix: "health")
        defer { dir.remove() }
        try await body(try SQLiteStateStore(directory: dir.root, busyTimeout: .milliseconds(200)), dir.root)
    }

    @Test func aStoreThatTakesWritesIsHealthyAndNothingIsLogged() async throws {
        try await withStore { store, _ in
            let capture = LogCapture()
            let health = StoreHealth(store: store, logger: capture.logger(), interval: .zero)
            #expect(await health.problems() == [])
            #expect(await health.problems() == [])
            #expect(capture.lines.isEmpty)
            let written = try store.write { (transaction) throws(StateError) in try transaction.value("serve.heartbeat") }
            #expect(written != nil, "the heartbeat was committed")
        }
    }

    @Test func whatTheRealWorkSawFailHoldsUntilItSucceedsAndIsLoggedOncePerChange() async throws {
        try await withStore { store, _ in
            let capture = LogCapture()
            // A window no loaded machine outlasts (the default 30 s did, once): what ends a
            // failure here is the success, not the time.
            let health = StoreHealth(store: store, logger: capture.logger(), interval: .zero, window: .seconds(3600))
            for _ in 0..<5 { health.failed(.intake, Self.damaged) }
            health.failed(.worker, Self.damaged)
            #expect(await health.problems() == [Self.damaged.description], "one reason, said once")
            #expect(await health.problems() == [Self.damaged.description])
            health.succeeded(.intake)
            #expect(await health.problems() == [Self.damaged.description], "the worker still sees it")
            health.succeeded(.worker)
            #expect(await health.problems() == [])
            let lines = capture.lines
            #expect(lines.count == 2, "\(lines)")
            #expect(lines.first?.contains("error") == true && lines.first?.contains("the state store fails") == true, "\(lines)")
            #expect(lines.first?.contains("is damaged") == true, "\(lines)")
            #expect(lines.last?.contains("the state store works again") == true, "\(lines)")
        }
    }

    @Test func aLockHeldByOthersIsLoadNotAFailureOfTheRealWork() async throws {
        try await withStore { store, _ in
            let capture = LogCapture()
            let health = StoreHealth(store: store, logger: capture.logger(), interval: .zero)
            health.failed(.intake, .busy(path: "/state/state.db", waited: .seconds(5)))
            #expect(await health.problems() == [])
            #expect(capture.lines.isEmpty)
        }
    }

    @Test func aFailureNothingRetriesStopsCountingAfterTheWindow() async throws {
        try await withStore { store, _ in
            let capture = LogCapture()
            let clock = Mutex(ContinuousClock.now)
            let health = StoreHealth(store: store, logger: capture.logger(), interval: .zero, window: .seconds(30),
                                     now: { clock.withLock { $0 } })
            health.failed(.intake, Self.damaged)
            clock.withLock { $0 += .seconds(29) }
            #expect(await health.problems().count == 1)
            clock.withLock { $0 += .seconds(2) }
            #expect(await health.problems() == [])
            #expect(capture.lines.count == 2, "\(capture.lines)")
        }
    }

    @Test func theHeartbeatSeesATableItCannotWriteAndItsRepair() async throws {
        try await withStore { store, dir in
            let capture = LogCapture()
            let health = StoreHealth(store: store, logger: capture.logger(), interval: .zero)
            #expect(await health.problems() == [])
            // Another process breaks the table the heartbeat writes.
            let other = try DatabaseQueue(path: dir + "/state.db")
            try await other.write { try $0.execute(sql: "ALTER TABLE meta RENAME TO meta_aside") }
            let problems = await health.problems()
            #expect(problems.count == 1 && problems.first?.contains(dir + "/state.db") == true, "\(problems)")
            #expect(await health.problems().count == 1)
            try await other.write { try $0.execute(sql: "ALTER TABLE meta_aside RENAME TO meta") }
            #expect(await health.problems() == [])
            #expect(capture.lines.count == 2, "one line when it failed, one when it recovered: \(capture.lines)")
        }
    }

    @Test func probesWithinTheIntervalShareOneHeartbeat() async throws {
        try await withStore { store, dir in
            let health = StoreHealth(store: store, logger: Logger(label: "test"), interval: .seconds(3600))
            #expect(await health.problems() == [])
            let other = try DatabaseQueue(path: dir + "/state.db")
            try await other.write { try $0.execute(sql: "ALTER TABLE meta RENAME TO meta_aside") }
            // No second write within the hour: the answer of the first holds.
            let answers = await withTaskGroup(of: [String].self) { group in
                for _ in 0..<20 { group.addTask { await health.problems() } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.isEmpty })
        }
    }
}
