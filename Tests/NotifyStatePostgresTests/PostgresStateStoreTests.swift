import Dispatch
import Foundation
import NotifyState
@testable import NotifyStatePostgres
import PostgresNIO
import Synchronization
import Testing
import TestSupport

/// What only the PostgreSQL store does: migrating from several replicas at once, a server that
/// is down or restarted, its own errors. (The store's semantics, the same as SQLite's, are
/// NotifyStateTests' conformance suite.) The store's calls block their thread while a task
/// of the concurrency pool leases a connection: each test runs on a thread of its own
/// (`serve` calls the store on its thread pools, a command on its main thread).
@Suite struct PostgresStateStoreTests {
    /// A store on a new empty database of the shared cluster.
    static func freshStore(busyTimeout: Duration = .seconds(5), password: String? = nil) throws -> (PostgresStateStore, PostgresCluster, String) {
        let cluster = try PostgresCluster.shared()
        let (name, url) = try cluster.createUniqueDatabase()
        let store = PostgresStateStore(try PostgresLocation(url: url + "?sslmode=disable"), password: password ?? cluster.password,
                                       busyTimeout: busyTimeout)
        return (store, cluster, name)
    }

    /// Runs `work` on `count` threads at once (the store's calls block their thread).
    static func concurrently(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: count, execute: work)
    }

    @Test func replicasStartingTogetherCreateTheSchemaOnce() async throws {
        try await OwnThread.run {
            let cluster = try PostgresCluster.shared()
            let (name, url) = try cluster.createUniqueDatabase()
            let location = try PostgresLocation(url: url + "?sslmode=disable")
            let failures = Mutex<[String]>([])
            Self.concurrently(8) { index in
                let store = PostgresStateStore(location, password: cluster.password)
                do {
                    try store.write { (tx) throws(StateError) in try tx.setValue("\(index)", for: "replica.\(index)") }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try cluster.psql("SELECT version FROM smspartner_schema", database: name) == "1")
            #expect(try cluster.psql("SELECT count(*) FROM meta WHERE key LIKE 'replica.%'", database: name) == "8")
        }
    }

    @Test func aDatabaseMigratedByANewerVersionIsRefused() async throws {
        try await OwnThread.run {
            let (store, cluster, name) = try Self.freshStore()
            try store.write { (tx) throws(StateError) in try tx.setValue("1", for: "k") }
            try cluster.psql("UPDATE smspartner_schema SET version = 99", database: name)
            let later = PostgresStateStore(try PostgresLocation(url: cluster.url(database: name) + "?sslmode=disable"), password: cluster.password)
            #expect(throws: StateError.newerSchema(path: later.location)) {
                try later.read { (reader) throws(StateError) in try reader.heartbeats() }
            }
        }
    }

    @Test func aServerThatIsNotThereIsUnavailableAndTransientNotAHang() async throws {
        try await OwnThread.run {
            let port = try RawConnection.freePort()
            let store = PostgresStateStore(try PostgresLocation(url: "postgres://notify@127.0.0.1:\(port)/notify?sslmode=disable"),
                                           password: "not-this-one", busyTimeout: .seconds(1))
            let error = #expect(throws: StateError.self) {
                try store.write { (tx) throws(StateError) in try tx.setValue("1", for: "k") }
            }
            guard case .unavailable(let path, _) = error else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
            #expect(path == "postgres://notify@127.0.0.1:\(port)/notify")
            #expect(error?.isTransient == true)
            #expect(error?.description.contains("not-this-one") == false)
        }
    }

    /// A server that takes connections and never answers: the first use waits the connection
    /// wait (5 s) and is unavailable; the uses of the next second fail at once with the same
    /// error, instead of each waiting 5 s more (serve's few request threads would queue behind
    /// them); the first after that waits again.
    @Test func aServerFoundDownFailsTheUsesOfTheNextSecondAtOnce() async throws {
        try await OwnThread.run {
            let silent = try SilentListener()
            let store = PostgresStateStore(try PostgresLocation(url: "postgres://notify@127.0.0.1:\(silent.port)/notify?sslmode=disable"),
                                           password: "secret", busyTimeout: .seconds(1))
            let clock = ContinuousClock()
            func use() -> (error: StateError?, took: Duration) {
                let start = clock.now
                do {
                    try store.write { (tx) throws(StateError) in try tx.setValue("1", for: "k") }
                    return (nil, clock.now - start)
                } catch {
                    return (error, clock.now - start)
                }
            }
            let first = use()
            guard case .unavailable? = first.error else {
                Issue.record("expected unavailable, got \(String(describing: first.error))")
                return
            }
            #expect(first.took >= store.connectionWait, "waited for a connection: \(first.took)")
            let next = use()
            #expect(next.error == first.error)
            #expect(next.took < .milliseconds(500), "failed at once: \(next.took)")
            Thread.sleep(forTimeInterval: 1.1)
            let later = use()
            #expect(later.error != nil)
            #expect(later.took >= store.connectionWait, "asked the pool again: \(later.took)")
        }
    }

    @Test func aWrongPasswordCannotOpenAndIsNeverShown() async throws {
        try await OwnThread.run {
            let (store, _, _) = try Self.freshStore(password: "wrong-secret-4242")
            let error = #expect(throws: StateError.self) {
                try store.read { (reader) throws(StateError) in try reader.heartbeats() }
            }
            guard case .cannotOpen = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(error?.description.contains("wrong-secret-4242") == false)
            #expect(error?.description.contains("password_file") == true, "says what to check")
        }
    }

    @Test func theCommitVersionMovesWithEveryCommitOfAnotherReplicaAndOnlyThen() async throws {
        try await OwnThread.run {
            // A cluster of its own: another test's database writing would move it too.
            let cluster = try PostgresCluster()
            defer { cluster.shutdown() }
            let location = try PostgresLocation(url: cluster.url + "?sslmode=disable")
            let replica = PostgresStateStore(location, password: cluster.password)
            let other = PostgresStateStore(location, password: cluster.password)
            try other.write { (tx) throws(StateError) in try tx.setValue("0", for: "k") }
            let first = try replica.commitVersion()
            #expect(first != nil)
            _ = try replica.read { (reader) throws(StateError) in try reader.heartbeats() }
            _ = try other.write { (tx) throws(StateError) in try tx.value("k") }
            #expect(try replica.commitVersion() == first, "reads and a write that wrote nothing commit nothing")
            try other.write { (tx) throws(StateError) in try tx.setValue("1", for: "k") }
            let second = try replica.commitVersion()
            #expect(second != first)
            #expect(try replica.commitVersion() == second)
        }
    }

    @Test func aSecondDecisionAboutTheSameAlertTakenOutsideTheLockIsRefusedAsBusy() async throws {
        try await OwnThread.run {
            let (store, cluster, name) = try Self.freshStore(busyTimeout: .seconds(5))
            let message = try store.write { (tx) throws(StateError) in
                try tx.insert(NewMessage(kind: .alert, text: "HTTP CRITICAL on web01"), at: Timestamp(milliseconds: 1))
            }
            // Another decider, without the writers' lock, records the same alert and commits
            // while this store decides it too (both read a history without the other's row).
            let other = DispatchGroup()
            DispatchQueue.global().async(group: other) {
                _ = try? cluster.psql("""
                    BEGIN;
                    INSERT INTO delivery (message_id, recipient, created_at, updated_at, state, dedup_key, status, follows)
                        VALUES (\(message), '+33611111111', 1, 1, 'pending', 'web01/HTTP', 'CRITICAL', 0);
                    SELECT pg_sleep(2);
                    COMMIT;
                    """, database: name)
            }
            // Once its row is in (uncommitted: it sleeps), this store decides.
            for _ in 0..<200 {
                let sleeping = try cluster.psql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(2)%' AND wait_event = 'PgSleep'",
                                                database: name)
                if sleeping == "1" { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(throws: StateError.busy(path: store.location, waited: .seconds(5))) {
                try store.write { (tx) throws(StateError) in
                    try tx.insert(NewDelivery(messageID: message, recipient: "+33611111111", state: .pending, dedupKey: "web01/HTTP",
                                              status: "CRITICAL"), at: Timestamp(milliseconds: 2))
                }
            }
            other.wait()
            // Tried again, it follows the other's decision: a later one is never refused.
            _ = try store.write { (tx) throws(StateError) in
                try tx.insert(NewDelivery(messageID: message, recipient: "+33611111111", state: .pending, dedupKey: "web01/HTTP",
                                          status: "CRITICAL"), at: Timestamp(milliseconds: 3))
            }
            #expect(try cluster.psql("SELECT count(*) FROM delivery", database: name) == "2")
        }
    }

    @Test func aMissingDatabaseCannotOpenAndANewOneIsUntouchedUntilUsed() async throws {
        try await OwnThread.run {
            let cluster = try PostgresCluster.shared()
            let missing = PostgresStateStore(try PostgresLocation(url: cluster.url(database: "no_such_db") + "?sslmode=disable"),
                                             password: cluster.password)
            let error = #expect(throws: StateError.self) { try missing.hasSchema() }
            guard case .cannotOpen(_, let reason) = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("does not exist"))
            let (store, _, name) = try Self.freshStore()
            #expect(try store.hasSchema() == false)
            #expect(try cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database: name) == "0")
            try store.write { (tx) throws(StateError) in try tx.setValue("1", for: "k") }
            #expect(try store.hasSchema() == true)
        }
    }

    @Test func aWriterHoldingTheLockLongerThanTheBusyTimeoutIsBusyNotAHang() async throws {
        try await OwnThread.run {
            let (store, cluster, name) = try Self.freshStore()
            let impatient = PostgresStateStore(try PostgresLocation(url: cluster.url(database: name) + "?sslmode=disable"),
                                               password: cluster.password, busyTimeout: .milliseconds(300))
            try store.write { (tx) throws(StateError) in try tx.setValue("0", for: "k") }
            let holding = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let held = DispatchGroup()
            DispatchQueue.global().async(group: held) {
                _ = try? store.write { (tx) throws(StateError) in
                    try tx.setValue("1", for: "k")
                    holding.signal()
                    release.wait()
                }
            }
            holding.wait()
            #expect(throws: StateError.busy(path: impatient.location, waited: .milliseconds(300)), "the lock wait ends as busy") {
                try impatient.write { (tx) throws(StateError) in try tx.setValue("2", for: "k") }
            }
            // A read does not wait for writers: it sees what was committed.
            #expect(try impatient.read { (reader) throws(StateError) in try reader.checkRun(named: "none") } == nil)
            release.signal()
            held.wait()
            #expect(try impatient.write { (tx) throws(StateError) in try tx.value("k") } == "1")
        }
    }

    /// postgres-nio writes a statement to its channel without a promise: on a connection the
    /// server has just dropped (it is shutting down), the statement is lost and its answer
    /// never comes. It must fail as the connection ends, not hang until the query timeout
    /// (seen as a webhook unanswered for 10 s while PostgreSQL stopped).
    @Test func aStatementOnAConnectionTheServerDroppedFailsAtOnceNotAtTheQueryTimeout() async throws {
        try await OwnThread.run {
            let (_, cluster, name) = try Self.freshStore()
            let store = PostgresStateStore(try PostgresLocation(url: cluster.url(database: name) + "?sslmode=disable"),
                                           password: cluster.password, busyTimeout: .seconds(1), queryTimeout: .seconds(60))
            try store.write { (tx) throws(StateError) in try tx.setValue("1", for: "k") }
            let clock = ContinuousClock()
            var failed: (error: StateError?, after: Duration)?
            try store.withConnection { (connection) throws(StateError) in
                let transaction = PostgresTransaction(connection: connection, store: store)
                let row = try transaction.row("SELECT pg_backend_pid() AS pid")
                let pid = try transaction.decode(row) { try $0("pid", as: Int32.self) } ?? 0
                _ = try? cluster.psql("SELECT pg_terminate_backend(\(pid))", database: name)
                let seen = clock.now
                while !connection.isClosed && clock.now - seen < .seconds(10) { Thread.sleep(forTimeInterval: 0.01) }
                let start = clock.now
                do throws(StateError) {
                    try transaction.query("SELECT 1")
                    failed = (nil, clock.now - start)
                } catch {
                    failed = (error, clock.now - start)
                }
            }
            guard let failed else { Issue.record("the statement did not run"); return }
            if case .unavailable(let path, let reason)? = failed.error {
                #expect(path == store.location && !reason.isEmpty)
            } else {
                Issue.record("unavailable, not \(String(describing: failed.error))")
            }
            #expect(failed.after < .seconds(5), "failed after \(failed.after), not at once (query timeout 60 s)")
            // And the store goes on, on another connection.
            #expect(try store.write { (tx) throws(StateError) in try tx.value("k") } == "1")
        }
    }

    @Test func aRestartedServerIsUsedAgainWithoutReopeningTheStore() async throws {
        try await OwnThread.run {
            let cluster = try PostgresCluster()
            defer { cluster.shutdown() }
            let store = PostgresStateStore(try PostgresLocation(url: cluster.url + "?sslmode=disable"), password: cluster.password,
                                           busyTimeout: .seconds(2))
            try store.write { (tx) throws(StateError) in try tx.setValue("before", for: "k") }
            cluster.stop()
            let down = #expect(throws: StateError.self) {
                try store.write { (tx) throws(StateError) in try tx.setValue("while down", for: "k") }
            }
            #expect(down?.isTransient == true, "\(String(describing: down))")
            try cluster.restart()
            // The pool reconnects by itself: retried as a webhook would be, it succeeds within seconds.
            var value: String?
            for _ in 0..<40 where value == nil {
                value = try? store.write { (tx) throws(StateError) in
                    try tx.setValue("after", for: "k")
                    return try tx.value("k")
                }
                if value == nil { Thread.sleep(forTimeInterval: 0.25) }
            }
            #expect(value == "after")
            #expect(try store.read { (reader) throws(StateError) in try reader.heartbeats() } == [])
        }
    }

    @Test func aKilledServerLosesNothingCommittedAndNothingRolledBack() async throws {
        try await OwnThread.run {
            let cluster = try PostgresCluster()
            defer { cluster.shutdown() }
            let store = PostgresStateStore(try PostgresLocation(url: cluster.url + "?sslmode=disable"), password: cluster.password,
                                           busyTimeout: .seconds(2))
            try store.write { (tx) throws(StateError) in try tx.setValue("committed", for: "a") }
            _ = try? store.write { (tx) throws(StateError) in
                try tx.setValue("rolled back", for: "b")
                throw StateError.failed(path: "test", reason: "abandoned")
            }
            cluster.kill9()
            try cluster.restart()
            var values: [String?]?
            for _ in 0..<40 where values == nil {
                values = try? store.write { (tx) throws(StateError) in [try tx.value("a"), try tx.value("b")] }
                if values == nil { Thread.sleep(forTimeInterval: 0.25) }
            }
            #expect(values == ["committed", nil])
        }
    }
}
