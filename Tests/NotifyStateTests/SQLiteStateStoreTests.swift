import Foundation
import GRDB
import TestSupport
import Testing

@testable import NotifyState

/// What only the SQLite store does, on real files: creation and permissions, the schema and
/// its upgrades from every older version, the file lock and the WAL, concurrent readers,
/// `data_version`, and how each kind of broken file is reported. What every backend does is
/// in the conformance suites, which run against SQLite and PostgreSQL (``StoreBackend``).
@Suite struct SQLiteStateStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    /// Opens a store in a fresh directory, runs `body`, removes the directory.
    func withStore<T>(_ body: (SQLiteStateStore, TemporaryDirectory) throws -> T) throws -> T {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root + "/state")
        return try body(store, scratch)
    }

    // MARK: Files

    @Test func createsItsDirectoryAndFilesPrivateAndInWALMode() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let store = try SQLiteStateStore(directory: scratch.root + "/a/b")
            try store.decide(Self.alice, .sent, at: Self.t0)
            #expect(try scratch.mode("a/b") == 0o700)
            #expect(try scratch.mode("a/b/state.db") == 0o600)
            #expect(try scratch.mode("a/b/state.db-wal") == 0o600)
            let mode = try store.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let version = try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
            #expect(version == 9, "a new schema version: a test of the upgrade from 9, then this")
        }
    }

    @Test func inAGroupWritableDirectoryItsFilesAreGroupWritableWhateverTheUmask() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let shared = scratch.root + "/shared"
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
            #expect(chmod(shared, 0o2770) == 0)
            let old = umask(0o022)
            defer { umask(old) }
            let store = try SQLiteStateStore(directory: shared)
            try store.decide(Self.alice, .sent, at: Self.t0)
            #expect(try scratch.mode("shared/state.db") == 0o660)
            #expect(try scratch.mode("shared/state.db-wal") == 0o660)
            #expect(try scratch.mode("shared/state.db-shm") == 0o660)
            #expect(try scratch.mode("shared/state.lock") == 0o660)
            // Group-writable alone (no set-group-ID, or a /tmp-like directory): private files.
            let plain = scratch.root + "/plain"
            try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: false)
            #expect(chmod(plain, 0o1777) == 0)
            try SQLiteStateStore(directory: plain).decide(Self.alice, .sent, at: Self.t0)
            #expect(try scratch.mode("plain/state.db") == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: shared).allSatisfy { !$0.hasSuffix(".new") }, "no temporary left")
        }
    }

    @Test func anOlderStoreIsUpgradedForItsReaders() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let directory = scratch.root + "/state"
            try SQLiteStateStore(directory: directory).decide(Self.alice, .sent, at: Self.t0)
            // What version 3 left: no urgency, no digest names.
            let queue = try DatabaseQueue(path: directory + "/state.db")
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: """
                    ALTER TABLE delivery DROP COLUMN urgent; ALTER TABLE message DROP COLUMN digest_rank;
                    ALTER TABLE message DROP COLUMN digest_status; PRAGMA user_version = 3;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v4%';
                    """)
            }
            try queue.close()
            let reader = try #require(try SQLiteStateStore(readOnlyIn: directory), "an older store is not an empty one")
            let snapshot = try reader.read { (r) throws(StateError) in try r.statusSnapshot(now: Self.t0, windows: [], latest: 10) }
            #expect(snapshot.latest.count == 1)
        }
    }

    @Test func reopeningKeepsTheDataAndDoesNotMigrateAgain() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let first = try SQLiteStateStore(directory: scratch.root)
            try first.decide(Self.alice, .sent, at: Self.t0)
            let second = try SQLiteStateStore(directory: scratch.root)
            let sends = try second.write { (tx) throws(StateError) in try tx.limitedSends(to: Self.alice, since: Self.t0 - .seconds(1)) }
            #expect(sends == [Self.t0])
        }
    }

    /// A store from before message tags: its messages get a random tag each, so that what is
    /// still queued can be asked about.
    @Test func aVersion2StoreGetsATagForEveryMessage() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            try FileManager.default.createDirectory(atPath: scratch.root + "/old", withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: scratch.root + "/old/state.db")
            try Schema.migrator.migrate(old, upTo: "v2: indexes that skip duplicates; resolved alert instances")
            try old.write { db in
                try db.execute(sql: "INSERT INTO message (created_at, kind, text) VALUES (1, 'alert', 'a'), (2, 'alert', 'b')")
                try db.execute(sql: "PRAGMA user_version = 2")
            }
            try old.close()
            let store = try SQLiteStateStore(directory: scratch.root + "/old")
            let tags = try store.queue.read { db in try String.fetchAll(db, sql: "SELECT tag FROM message ORDER BY id") }
            #expect(tags.count == 2)
            #expect(Set(tags).count == 2)
            #expect(tags.allSatisfy { $0.count <= 20 && $0.hasPrefix("notify") && $0 == $0.lowercased() })
        }
    }

    /// A store from before receipts: its sent deliveries are not tracked (no receipt), the
    /// heartbeat table appears, and what is sent from then on is.
    @Test func aVersion4StoreGetsReceiptsAndHeartbeats() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            try FileManager.default.createDirectory(atPath: scratch.root + "/old", withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: scratch.root + "/old/state.db")
            try Schema.migrator.migrate(old, upTo: "v4: urgency and digest names")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO message (id, created_at, kind, text, tag) VALUES (1, 1, 'alert', 'a', 'notifyaa');
                    INSERT INTO delivery (message_id, recipient, created_at, updated_at, state, sent_at, provider_message_id)
                        VALUES (1, '+33611111111', 1, 1, 'sent', 1, '307');
                    PRAGMA user_version = 4;
                    """)
            }
            try old.close()
            let store = try SQLiteStateStore(directory: scratch.root + "/old")
            #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Schema.version)
            let tracked = try store.read { (r) throws(StateError) in try r.trackedDeliveries(providerMessageID: "307") }
            #expect(tracked.isEmpty, "what was sent before is not tracked")
            let id = try store.decide(Self.alice, .sent, at: Self.t0)
            try store.write { (tx) throws(StateError) in try tx.trackReceipts(for: [id], dueAt: Self.t0, at: Self.t0) }
            let due = try store.write { (tx) throws(StateError) in try tx.claimDueReceipts(limit: 10, until: Self.t0 + .seconds(60), at: Self.t0) }
            #expect(due.map(\.id) == [id])
            #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM heartbeat") } == 0)
        }
    }

    /// A store from before escalations gets the table; what it had stays.
    @Test func aVersion6StoreGetsEscalations() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "escalations")
            defer { scratch.remove() }
            try FileManager.default.createDirectory(atPath: scratch.root + "/old", withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: scratch.root + "/old/state.db")
            try Schema.migrator.migrate(old, upTo: "v6: pages")
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO page (recipient, code, subject, source, text, opened_at, updated_at)
                        VALUES ('+33611111111', '4F', 's', 'nagios', 't', 1, 1);
                    PRAGMA user_version = 6;
                    """)
            }
            try old.close()
            let store = try SQLiteStateStore(directory: scratch.root + "/old")
            #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Schema.version)
            #expect(try store.read { (r) throws(StateError) in try r.openPages(about: "s") }.count == 1)
            let escalation = Escalation(subject: "s", policy: "default", label: "s", source: "nagios", target: nil, text: "t", steps: 2,
                                        startedAt: Self.t0, nextAt: nil)
            let id = try store.write { (tx) throws(StateError) in try tx.insert(escalation, at: Self.t0) }
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "s") }?.id == id)
        }
    }

    /// A store from before the checks of `run` gets their table.
    @Test func aVersion8StoreGetsTheTable() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "check-runs")
            defer { scratch.remove() }
            try FileManager.default.createDirectory(atPath: scratch.root + "/old", withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: scratch.root + "/old/state.db")
            try Schema.migrator.migrate(old, upTo: "v8: escalations")
            try old.write { db in try db.execute(sql: "PRAGMA user_version = 8") }
            try old.close()
            let store = try SQLiteStateStore(directory: scratch.root + "/old")
            let backup = CheckRun(name: "backup", state: "failing", since: Self.t0, failures: 1, alerted: nil, lastOutput: "disk full",
                                  updatedAt: Self.t0)
            #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Schema.version)
            try store.write { (tx) throws(StateError) in try tx.save(backup) }
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == backup)
        }
    }

    @Test func withConcurrentReadsAReadIsNotHeldUpByAnOpenWriteTransaction() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let store = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
            #expect(store.queue is DatabasePool)
            try store.decide(Self.alice, .sent, at: Self.t0)
            // Inside a write transaction (the writer connection is taken), a read on another
            // connection sees the last committed state; a one-connection store would deadlock here.
            let seen = try store.write { (tx) throws(StateError) -> [Timestamp] in
                _ = try tx.insert(NewMessage(kind: .alert, text: "uncommitted"), at: Self.t0 + .seconds(1))
                return try store.read { (reader) throws(StateError) in try reader.limitedSends(to: Self.alice, since: Self.t0 - .seconds(1)) }
            }
            #expect(seen == [Self.t0])
            let mode = try store.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            #expect(try SQLiteStateStore(directory: scratch.root).queue is DatabaseQueue, "one connection by default")
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let store = try SQLiteStateStore(directory: scratch.root)
            try store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 99") }
            #expect(throws: StateError.newerSchema(path: store.path)) { try SQLiteStateStore(directory: scratch.root) }
        }
    }

    @Test func aFileThatIsNotADatabaseIsReportedAsDamaged() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: scratch.root + "/state.db"))
            let error = #expect(throws: StateError.self) { try SQLiteStateStore(directory: scratch.root) }
            guard case .corrupt(let path, _) = error else {
                Issue.record("expected .corrupt, got \(String(describing: error))")
                return
            }
            #expect(path == scratch.root + "/state.db")
            #expect(error?.description.contains("move it aside") == true)
        }
    }

    @Test func aStateDirectoryThatIsAFileIsReported() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            _ = FileManager.default.createFile(atPath: scratch.root + "/file", contents: Data())
            #expect(throws: StateError.unusableDirectory(path: scratch.root + "/file", reason: "not a directory")) {
                try SQLiteStateStore(directory: scratch.root + "/file")
            }
        }
    }

    @Test func aLockHeldLongerThanTheBusyTimeoutIsBusyNotAHang() async throws {
        try await OwnThreadExecutor.run {
            try withStore { store, _ in
                let other = try DatabaseQueue(path: store.path)
                let clock = ContinuousClock()
                try other.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                    defer { try? db.execute(sql: "ROLLBACK") }
                    let slow = try SQLiteStateStore(directory: (store.path as NSString).deletingLastPathComponent, busyTimeout: .milliseconds(300))
                    let start = clock.now
                    #expect(throws: StateError.busy(path: store.path, waited: .milliseconds(300))) {
                        try slow.decide(Self.alice, .sent, at: Self.t0)
                    }
                    // Not a performance bound: a hang would last as long as the lock (forever here);
                    // 10 s is generous for a loaded machine.
                    #expect(clock.now - start < .seconds(10))
                }
            }
        }
    }

    @Test func aWriterHoldingTheFileLockTooLongIsBusyNotAHang() async throws {
        try await OwnThreadExecutor.run {
            try withStore { store, _ in
                // Another writer, in the middle of its transaction: it holds state.lock.
                let fd = open(store.lockPath, O_RDWR)
                defer { close(fd) }
                #expect(flock(fd, LOCK_EX) == 0)
                let slow = try SQLiteStateStore(directory: (store.path as NSString).deletingLastPathComponent, busyTimeout: .milliseconds(300))
                let clock = ContinuousClock()
                let start = clock.now
                #expect(throws: StateError.busy(path: store.lockPath, waited: .milliseconds(300))) {
                    try slow.decide(Self.alice, .sent, at: Self.t0)
                }
                let waited = clock.now - start
                // It waited its busy timeout, and not for the lock (held until below): the upper
                // bound is only there to tell a wait that ends from a hang, generous for a loaded machine.
                #expect(waited >= .milliseconds(300) && waited < .seconds(10), "\(waited)")
                // Released: the next write goes through at once.
                flock(fd, LOCK_UN)
                try slow.decide(Self.alice, .sent, at: Self.t0)
            }
        }
    }

    /// The WAL's size in bytes (0 when there is none).
    func walSize(_ store: SQLiteStateStore) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: store.path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Each store is one process: it opens the file alone (rebuilding the WAL index), writes
    /// once and ends. Without the checkpoint the WAL grows by every commit up to SQLite's
    /// 1000-page checkpoint (4 MB); with it, a process that finds 512 KiB or more truncates it.
    @Test func aShortLivedProcessKeepsTheWALUnderHalfAMebibyte() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            var largest = 0
            var truncations = 0
            let processes = 300
            for i in 0..<processes {
                let store = try SQLiteStateStore(directory: scratch.root)
                try store.decide(Self.alice, .sent, key: "k\(i)", at: Self.t0 + .seconds(i))
                let before = walSize(store)
                #expect(before > 0, "the commit is in the WAL first")
                store.checkpointAtExit()  // as the process ends
                let after = walSize(store)
                if after == 0 { truncations += 1 } else { #expect(after == before, "left alone below the threshold") }
                largest = max(largest, after)
            }
            #expect(largest < 512 * 1024, "WAL left at \(largest) bytes")
            // Not every process pays for the checkpoint, and some do.
            #expect(truncations >= 1 && truncations < processes / 4, "\(truncations) truncations")
            // state.db with its WAL has every decision (a backup copies both).
            try FileManager.default.createDirectory(atPath: scratch.root + "/copy", withIntermediateDirectories: true)
            for file in ["state.db", "state.db-wal"] {
                try FileManager.default.copyItem(atPath: scratch.root + "/" + file, toPath: scratch.root + "/copy/" + file)
            }
            let copy = try DatabaseQueue(path: scratch.root + "/copy/state.db")
            #expect(try copy.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM delivery") } == processes)
            let store = try SQLiteStateStore(directory: scratch.root)
            let sends = try store.read { (tx) throws(StateError) in try tx.limitedSends(to: Self.alice, since: Self.t0 - .seconds(1)) }
            #expect(sends.count == processes)
        }
    }

    @Test func aReaderOrAServerMakesTheTruncationGiveUpRatherThanWait() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let store = try SQLiteStateStore(directory: scratch.root, busyTimeout: .seconds(30))
            let reader = try DatabaseQueue(path: store.path)
            try reader.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN")
                defer { try? db.execute(sql: "ROLLBACK") }
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM delivery")  // holds a read mark
                let clock = ContinuousClock()
                let start = clock.now
                var i = 0
                // Past the 512 KiB at which a process truncates the WAL as it ends.
                while walSize(store) < 600 * 1024, i < 5_000 {
                    try store.decide(Self.alice, .sent, key: "k\(i)", at: Self.t0)
                    i += 1
                }
                #expect(walSize(store) >= 600 * 1024)
                store.checkpointAtExit()  // would truncate but for the reader
                // Waiting for the reader would take the whole 30 s busy timeout; 15 s tells the two
                // apart even on a loaded machine.
                #expect(clock.now - start < .seconds(15), "the truncation waited for the reader")
                #expect(walSize(store) > 0)
            }
            // The reader gone, the truncation goes through.
            store.checkpointAtExit()
            #expect(walSize(store) == 0)
            // A store with concurrent readers (serve) never truncates.
            try store.decide(Self.alice, .sent, key: "again", at: Self.t0)
            let server = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
            server.checkpointAtExit()
            #expect(walSize(store) > 0)
        }
    }

    @Test func aServerCheckpointsTheWALEvery500Pages() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let server = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
            // ~1500 pages of commits: SQLite's default would let the WAL reach 1000 pages.
            let text = String(repeating: "x", count: 3000)
            var largest = 0
            for i in 0..<1500 {
                try server.decide(Self.alice, .sent, key: "k\(i)", at: Self.t0, text: text)
                largest = max(largest, walSize(server))
            }
            let pages = largest / 4120
            #expect(pages > 250)
            #expect(pages < 550, "the WAL reached \(pages) pages")
        }
    }

    @Test func theCommitVersionMovesWithEveryCommitOfAnotherConnection() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            let server = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
            let first = try #require(try server.commitVersion())
            #expect(try server.commitVersion() == first)
            _ = try server.read { (tx) throws(StateError) in try tx.limitedSends(to: nil, since: Self.t0) }
            #expect(try server.commitVersion() == first, "a read is no change")
            try server.decide(Self.alice, .sent, at: Self.t0)
            let second = try #require(try server.commitVersion())
            #expect(second != first, "the server's own commit")
            let command = try SQLiteStateStore(directory: scratch.root)
            #expect(try command.commitVersion() == nil, "a short-lived process has no use for it")
            try command.decide(Self.bob, .sent, at: Self.t0)
            #expect(try server.commitVersion() != second, "another process's commit")
        }
    }

    @Test func aReadOnlyStoreOfAMissingFileIsNil() async throws {
        try await OwnThreadExecutor.run {
            let scratch = try TemporaryDirectory(prefix: "notify-state")
            defer { scratch.remove() }
            #expect(try SQLiteStateStore(readOnlyIn: scratch.root) == nil)
            #expect(!FileManager.default.fileExists(atPath: scratch.root + "/state.db"), "reading must not create the store")
        }
    }
}
