import Foundation
import GRDB
import TestSupport
import Testing

@testable import NotifyState

/// The SQLite store on real files: creation, permissions, schema, the SQL behind every
/// decision, and how each kind of broken file is reported.
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

    /// Records one decision about one recipient with its own message.
    @discardableResult
    func decide(_ store: SQLiteStateStore, _ recipient: String, _ state: DeliveryState, key: String? = "k", status: String? = "PROBLEM",
                subject: String? = "s", at time: Timestamp, text: String = "text", owner: String = "me") throws -> Int64 {
        try store.write { (tx) throws(StateError) in
            let message = try tx.insert(NewMessage(kind: .alert, text: text, typeLabel: status, label: subject), at: time)
            return try tx.insert(NewDelivery(messageID: message, recipient: recipient, state: state, dedupKey: key, status: status,
                                             subject: subject, leaseOwner: owner, leaseUntil: time + .seconds(30)), at: time)
        }
    }

    // MARK: Files

    @Test func createsItsDirectoryAndFilesPrivateAndInWALMode() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root + "/a/b")
        try decide(store, Self.alice, .sent, at: Self.t0)
        #expect(try scratch.mode("a/b") == 0o700)
        #expect(try scratch.mode("a/b/state.db") == 0o600)
        #expect(try scratch.mode("a/b/state.db-wal") == 0o600)
        let mode = try store.queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let version = try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(version == 9, "a new schema version: a test of the upgrade from 9, then this")
    }

    @Test func inAGroupWritableDirectoryItsFilesAreGroupWritableWhateverTheUmask() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let shared = scratch.root + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        #expect(chmod(shared, 0o2770) == 0)
        let old = umask(0o022)
        defer { umask(old) }
        let store = try SQLiteStateStore(directory: shared)
        try decide(store, Self.alice, .sent, at: Self.t0)
        #expect(try scratch.mode("shared/state.db") == 0o660)
        #expect(try scratch.mode("shared/state.db-wal") == 0o660)
        #expect(try scratch.mode("shared/state.db-shm") == 0o660)
        #expect(try scratch.mode("shared/state.lock") == 0o660)
        // Group-writable alone (no set-group-ID, or a /tmp-like directory): private files.
        let plain = scratch.root + "/plain"
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: false)
        #expect(chmod(plain, 0o1777) == 0)
        try decide(try SQLiteStateStore(directory: plain), Self.alice, .sent, at: Self.t0)
        #expect(try scratch.mode("plain/state.db") == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared).allSatisfy { !$0.hasSuffix(".new") }, "no temporary left")
    }

    @Test func urgentSendsAreCountedApart() throws {
        try withStore { store, _ in
            try store.write { (tx) throws(StateError) in
                for (index, urgent) in [false, true, false, true, true].enumerated() {
                    let time = Self.t0 + .seconds(Int64(index))
                    let message = try tx.insert(NewMessage(kind: .alert, text: "m\(index)", rank: urgent ? 0 : 2,
                                                           status: urgent ? "DOWN" : "WARNING"), at: time)
                    _ = try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .sent, urgent: urgent), at: time)
                }
                let all = try tx.limitedSends(to: Self.alice, since: Self.t0)
                let urgent = try tx.limitedSends(to: Self.alice, since: Self.t0, urgentOnly: true)
                #expect(all.count == 5)
                #expect(urgent == [1, 3, 4].map { Self.t0 + .seconds(Int64($0)) })
            }
        }
    }

    @Test func claimsComeInEventOrderPerRecipientWithWhatIsQueuedFromBefore() throws {
        try withStore { store, _ in
            // Alice's first SMS waits longer (its backoff's jitter) than her second: both go, first first.
            let first = try decide(store, Self.alice, .pending, key: "a", at: Self.t0, text: "first")
            let second = try decide(store, Self.alice, .pending, key: "b", at: Self.t0 + .seconds(1), text: "second")
            let bobs = try decide(store, Self.bob, .pending, key: "c", at: Self.t0 + .seconds(2), text: "bob")
            try store.queue.write { db in
                try db.execute(sql: "UPDATE delivery SET next_attempt_at = ? WHERE id = ?", arguments: [(Self.t0 + .seconds(100)).milliseconds, first])
                try db.execute(sql: "UPDATE delivery SET next_attempt_at = ? WHERE id IN (?, ?)", arguments: [(Self.t0 + .seconds(10)).milliseconds, second, bobs])
            }
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(20))
            }
            #expect(claimed.map(\.text) == ["first", "second", "bob"], "not yet due, but before what is: it goes first")
            // A send's own claim takes the recipient's queue along, oldest first, not what is unknown.
            let third = try decide(store, Self.alice, .pending, key: "d", at: Self.t0 + .seconds(30), text: "third")
            let fourth = try decide(store, Self.alice, .pending, key: "e", at: Self.t0 + .seconds(31), text: "fourth")
            try store.queue.write { db in try db.execute(sql: "UPDATE delivery SET state = 'unknown' WHERE id = ?", arguments: [third]) }
            let earlier = try store.write { (tx) throws(StateError) in
                try tx.claimEarlier(of: Self.alice, before: fourth + 1, owner: "me", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(32))
            }
            #expect(earlier.map(\.text) == ["fourth"], "the unknown one waits for its lookup; the claimed ones are taken")
        }
    }

    @Test func aClaimKeepsToItsLimitOldestFirst() throws {
        try withStore { store, _ in
            for index in 0..<5 {
                try decide(store, Self.alice, .pending, key: "k\(index)", at: Self.t0 + .seconds(Int64(index)), text: "m\(index)")
            }
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 2, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(10))
            }
            #expect(claimed.map(\.text) == ["m0", "m1"])
        }
    }

    @Test func anOlderStoreIsUpgradedForItsReaders() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let directory = scratch.root + "/state"
        try decide(try SQLiteStateStore(directory: directory), Self.alice, .sent, at: Self.t0)
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

    @Test func reopeningKeepsTheDataAndDoesNotMigrateAgain() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let first = try SQLiteStateStore(directory: scratch.root)
        try decide(first, Self.alice, .sent, at: Self.t0)
        let second = try SQLiteStateStore(directory: scratch.root)
        let sends = try second.write { (tx) throws(StateError) in try tx.limitedSends(to: Self.alice, since: Self.t0 - .seconds(1)) }
        #expect(sends == [Self.t0])
    }

    /// A store from before message tags: its messages get a random tag each, so that what is
    /// still queued can be asked about.
    @Test func aVersion2StoreGetsATagForEveryMessage() throws {
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

    /// A store from before receipts: its sent deliveries are not tracked (no receipt), the
    /// heartbeat table appears, and what is sent from then on is.
    @Test func aVersion4StoreGetsReceiptsAndHeartbeats() throws {
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
        let id = try decide(store, Self.alice, .sent, at: Self.t0)
        try store.write { (tx) throws(StateError) in try tx.trackReceipts(for: [id], dueAt: Self.t0, at: Self.t0) }
        let due = try store.write { (tx) throws(StateError) in try tx.claimDueReceipts(limit: 10, until: Self.t0 + .seconds(60), at: Self.t0) }
        #expect(due.map(\.id) == [id])
        #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM heartbeat") } == 0)
    }

    @Test func withConcurrentReadsAReadIsNotHeldUpByAnOpenWriteTransaction() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
        #expect(store.queue is DatabasePool)
        try decide(store, Self.alice, .sent, at: Self.t0)
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

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root)
        try store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 99") }
        #expect(throws: StateError.newerSchema(path: store.path)) { try SQLiteStateStore(directory: scratch.root) }
    }

    @Test func aFileThatIsNotADatabaseIsReportedAsDamaged() throws {
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

    @Test func aStateDirectoryThatIsAFileIsReported() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.root + "/file", contents: Data())
        #expect(throws: StateError.unusableDirectory(path: scratch.root + "/file", reason: "not a directory")) {
            try SQLiteStateStore(directory: scratch.root + "/file")
        }
    }

    @Test func aLockHeldLongerThanTheBusyTimeoutIsBusyNotAHang() throws {
        try withStore { store, _ in
            let other = try DatabaseQueue(path: store.path)
            let clock = ContinuousClock()
            try other.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                defer { try? db.execute(sql: "ROLLBACK") }
                let slow = try SQLiteStateStore(directory: (store.path as NSString).deletingLastPathComponent, busyTimeout: .milliseconds(300))
                let start = clock.now
                #expect(throws: StateError.busy(path: store.path, waited: .milliseconds(300))) {
                    try decide(slow, Self.alice, .sent, at: Self.t0)
                }
                // Not a performance bound: a hang would last as long as the lock (forever here);
                // 10 s is generous for a loaded machine.
                #expect(clock.now - start < .seconds(10))
            }
        }
    }

    @Test func aWriterHoldingTheFileLockTooLongIsBusyNotAHang() throws {
        try withStore { store, _ in
            // Another writer, in the middle of its transaction: it holds state.lock.
            let fd = open(store.lockPath, O_RDWR)
            defer { close(fd) }
            #expect(flock(fd, LOCK_EX) == 0)
            let slow = try SQLiteStateStore(directory: (store.path as NSString).deletingLastPathComponent, busyTimeout: .milliseconds(300))
            let clock = ContinuousClock()
            let start = clock.now
            #expect(throws: StateError.busy(path: store.lockPath, waited: .milliseconds(300))) {
                try decide(slow, Self.alice, .sent, at: Self.t0)
            }
            let waited = clock.now - start
            // It waited its busy timeout, and not for the lock (held until below): the upper
            // bound is only there to tell a wait that ends from a hang, generous for a loaded machine.
            #expect(waited >= .milliseconds(300) && waited < .seconds(10), "\(waited)")
            // Released: the next write goes through at once.
            flock(fd, LOCK_UN)
            try decide(slow, Self.alice, .sent, at: Self.t0)
        }
    }

    /// The WAL's size in bytes (0 when there is none).
    func walSize(_ store: SQLiteStateStore) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: store.path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Each store is one process: it opens the file alone (rebuilding the WAL index), writes
    /// once and ends. Without the checkpoint the WAL grows by every commit up to SQLite's
    /// 1000-page checkpoint (4 MB); with it, a process that finds 512 KiB or more truncates it.
    @Test func aShortLivedProcessKeepsTheWALUnderHalfAMebibyte() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        var largest = 0
        var truncations = 0
        let processes = 300
        for i in 0..<processes {
            let store = try SQLiteStateStore(directory: scratch.root)
            try decide(store, Self.alice, .sent, key: "k\(i)", at: Self.t0 + .seconds(i))
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

    @Test func aReaderOrAServerMakesTheTruncationGiveUpRatherThanWait() throws {
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
                try decide(store, Self.alice, .sent, key: "k\(i)", at: Self.t0)
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
        try decide(store, Self.alice, .sent, key: "again", at: Self.t0)
        let server = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
        server.checkpointAtExit()
        #expect(walSize(store) > 0)
    }

    @Test func aServerCheckpointsTheWALEvery500Pages() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let server = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
        // ~1500 pages of commits: SQLite's default would let the WAL reach 1000 pages.
        let text = String(repeating: "x", count: 3000)
        var largest = 0
        for i in 0..<1500 {
            try decide(server, Self.alice, .sent, key: "k\(i)", at: Self.t0, text: text)
            largest = max(largest, walSize(server))
        }
        let pages = largest / 4120
        #expect(pages > 250)
        #expect(pages < 550, "the WAL reached \(pages) pages")
    }

    @Test func theCommitVersionMovesWithEveryCommitOfAnotherConnection() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        let server = try SQLiteStateStore(directory: scratch.root, concurrentReads: true)
        let first = try #require(try server.commitVersion())
        #expect(try server.commitVersion() == first)
        _ = try server.read { (tx) throws(StateError) in try tx.limitedSends(to: nil, since: Self.t0) }
        #expect(try server.commitVersion() == first, "a read is no change")
        try decide(server, Self.alice, .sent, at: Self.t0)
        let second = try #require(try server.commitVersion())
        #expect(second != first, "the server's own commit")
        let command = try SQLiteStateStore(directory: scratch.root)
        #expect(try command.commitVersion() == nil, "a short-lived process has no use for it")
        try decide(command, Self.bob, .sent, at: Self.t0)
        #expect(try server.commitVersion() != second, "another process's commit")
    }

    @Test func aReadOnlyStoreOfAMissingFileIsNil() throws {
        let scratch = try TemporaryDirectory(prefix: "notify-state")
        defer { scratch.remove() }
        #expect(try SQLiteStateStore(readOnlyIn: scratch.root) == nil)
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/state.db"), "reading must not create the store")
    }

    // MARK: Facts

    @Test func limitedSendsCountOnlyWhatIsOrWillBeSent() throws {
        try withStore { store, _ in
            for (offset, state) in DeliveryState.allCases.enumerated() {
                try decide(store, Self.alice, state, at: Self.t0 + .seconds(Int64(offset)))
            }
            try decide(store, Self.bob, .sent, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                let counted = try tx.limitedSends(to: Self.alice, since: Self.t0)
                #expect(counted.count == DeliveryState.countedTowardLimits.count)
                #expect(try tx.limitedSends(to: nil, since: Self.t0).count == counted.count + 1)
                #expect(try tx.limitedSendCounts(since: [Self.t0, Self.t0 + .seconds(60)]) == [counted.count + 1, 0])
                #expect(try tx.limitedSends(to: Self.alice, since: Self.t0 + .seconds(60)).isEmpty)
            }
        }
    }

    @Test func aDuplicateNeedsTheSameKeyStatusRecipientAndWindow() throws {
        try withStore { store, _ in
            let first = try decide(store, Self.alice, .sent, key: "k1", status: "PROBLEM", at: Self.t0)
            try store.write { (tx) throws(StateError) in
                let since = Self.t0 - .seconds(60)
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k1", status: "PROBLEM", subject: "s", since: since)?.id == first)
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k1", status: "RECOVERY", subject: "s", since: since) == nil)
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k2", status: "PROBLEM", subject: "s", since: since) == nil)
                #expect(try tx.duplicateOf(recipient: Self.bob, dedupKey: "k1", status: "PROBLEM", subject: "s", since: since) == nil)
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k1", status: "PROBLEM", subject: "s", since: Self.t0 + .seconds(1)) == nil)
            }
        }
    }

    @Test func aChangeOfStatusInBetweenEndsTheDuplicate() throws {
        try withStore { store, _ in
            try decide(store, Self.alice, .sent, key: "fp:firing", status: "FIRING", at: Self.t0)
            try decide(store, Self.alice, .sent, key: "fp:resolved", status: "RESOLVED", at: Self.t0 + .seconds(10))
            try store.write { (tx) throws(StateError) in
                // Firing again after resolving is news, even with the same key and status.
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "fp:firing", status: "FIRING", subject: "s", since: Self.t0 - .seconds(60)) == nil)
            }
        }
    }

    @Test func failedAndExpiredDeliveriesAreNotDuplicatedAgainst() throws {
        try withStore { store, _ in
            try decide(store, Self.alice, .failed, at: Self.t0)
            try decide(store, Self.alice, .expired, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k", status: "PROBLEM", subject: "s", since: Self.t0 - .seconds(1)) == nil)
            }
        }
    }

    @Test func heldEntriesAndDigests() throws {
        try withStore { store, _ in
            let a = try decide(store, Self.alice, .held, status: "PROBLEM", subject: "web01/HTTP", at: Self.t0)
            let b = try decide(store, Self.alice, .held, status: "RECOVERY", subject: "web01/HTTP", at: Self.t0 + .seconds(1))
            try decide(store, Self.bob, .sent, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                #expect(try tx.recipientsWithHeldEntries() == [Self.alice])
                let held = try tx.heldEntries(of: Self.alice)
                #expect(held.map(\.deliveryID) == [a, b])
                #expect(held.map(\.typeLabel) == ["PROBLEM", "RECOVERY"])
                #expect(held.map(\.label) == ["web01/HTTP", "web01/HTTP"])
                #expect(try tx.latestDecision(recipient: Self.alice, subject: "web01/HTTP")?.id == b)
                try tx.markDigested([a, b], into: 99, at: Self.t0 + .seconds(2))
                #expect(try tx.heldEntries(of: Self.alice).isEmpty)
                #expect(try tx.recipientsWithHeldEntries().isEmpty)
            }
        }
    }

    // MARK: Outbox

    @Test func claimingRecordingAndRetrying() throws {
        try withStore { store, _ in
            let id = try decide(store, Self.alice, .pending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                #expect(try tx.claimDue(limit: 10, owner: "a", leaseUntil: Self.t0 + .seconds(30), at: Self.t0 - .seconds(1)).isEmpty, "not due before it was decided")
                let claimed = try tx.claimDue(limit: 10, owner: "a", leaseUntil: Self.t0 + .seconds(30), at: Self.t0)
                #expect(claimed.map(\.deliveryID) == [id])
                #expect(claimed.first?.attempts == 0)
                #expect(try tx.claimDue(limit: 10, owner: "b", leaseUntil: Self.t0 + .seconds(30), at: Self.t0).isEmpty, "claimed once only")
                // Another owner's failure does not touch it.
                try tx.record(.failed(errorClass: "rejected", error: "x"), for: [id], owner: "b", at: Self.t0)
                try tx.record(.retry(errorClass: "transient", error: "HTTP 500", retryAt: Self.t0 + .seconds(30)), for: [id], owner: "a", at: Self.t0)
                #expect(try tx.claimDue(limit: 10, owner: "a", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(29)).isEmpty, "backing off")
                let again = try tx.claimDue(limit: 10, owner: "a", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(30))
                #expect(again.first?.attempts == 1)
                try tx.record(.sent(providerMessageID: "307", nbSMS: 1, cost: 0.045, currency: "EUR"), for: [id], owner: "a", at: Self.t0 + .seconds(31))
            }
            let snapshot = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0 + .seconds(60), windows: [.seconds(3600)], latest: 5)
            }
            #expect(snapshot.queued == 0)
            #expect(snapshot.lastSent == Self.t0 + .seconds(31))
            #expect(snapshot.windows.first?.sent == 1)
            #expect(snapshot.latest.first?.providerMessageID == "307")
            #expect(snapshot.latest.first?.attempts == 2)
        }
    }

    @Test func aSuccessIsSharedBetweenARequestsRecipients() throws {
        try withStore { store, _ in
            let a = try decide(store, Self.alice, .sending, at: Self.t0)
            let b = try decide(store, Self.bob, .sending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                try tx.record(.sent(providerMessageID: "1", nbSMS: 4, cost: 0.18, currency: "EUR"), for: [a, b], owner: "me", at: Self.t0)
            }
            let window = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0, windows: [.seconds(60)], latest: 0)
            }.windows.first
            #expect(window?.sent == 2)
            #expect(window?.segments == 4)
            #expect(abs((window?.cost ?? 0) - 0.18) < 1e-9)
        }
    }

    /// A sender that died may have sent its request: its delivery comes back as unknown, to be
    /// asked about (by tag) before it is sent again.
    @Test func aDeadSendersLeaseRunsOutAndItsDeliveryComesBackUnknown() throws {
        try withStore { store, _ in
            let id = try decide(store, Self.alice, .sending, at: Self.t0, owner: "killed")
            try store.write { (tx) throws(StateError) in
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(29)) == 0)
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(31)) == 1)
                let claimed = try tx.claimDue(limit: 1, owner: "flush", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(31))
                #expect(claimed.map(\.deliveryID) == [id])
                #expect(claimed.first?.outcomeUnknown == true)
            }
        }
    }

    @Test func anUnknownOutcomeWaitsForItsLookupCountsAndCoversDuplicates() throws {
        try withStore { store, _ in
            let id = try store.write { (tx) throws(StateError) in
                let message = try tx.insert(NewMessage(kind: .alert, text: "t", tag: "alertsabcdef0123"), at: Self.t0)
                return try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .sending, dedupKey: "k", status: "PROBLEM",
                                                 subject: "s", leaseOwner: "me", leaseUntil: Self.t0 + .seconds(30)), at: Self.t0)
            }
            try store.write { (tx) throws(StateError) in
                try tx.record(.unknown(error: "timed out", checkAt: Self.t0 + .seconds(20)), for: [id], owner: "other", at: Self.t0)
                #expect(try tx.claimDue(limit: 5, owner: "x", leaseUntil: Self.t0 + .seconds(60), at: Self.t0).isEmpty, "another owner's outcome is ignored")
                try tx.record(.unknown(error: "timed out", checkAt: Self.t0 + .seconds(20)), for: [id], owner: "me", at: Self.t0)
                #expect(try tx.claimDue(limit: 5, owner: "x", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(19)).isEmpty, "not before its check")
                #expect(try tx.limitedSends(to: Self.alice, since: Self.t0).count == 1, "it may have been sent: it counts")
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k", status: "PROBLEM", subject: "s", since: Self.t0)?.id == id)
            }
            let snapshot = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0 + .seconds(1), windows: [], latest: 1)
            }
            #expect(snapshot.queued == 1)
            #expect(snapshot.unknown == 1)
            #expect(snapshot.latest.first?.state == .unknown)
            #expect(snapshot.latest.first?.tag == "alertsabcdef0123")
            try store.write { (tx) throws(StateError) in
                let claimed = try tx.claimDue(limit: 5, owner: "x", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(20))
                #expect(claimed.map(\.deliveryID) == [id])
                #expect(claimed.first?.outcomeUnknown == true)
                #expect(claimed.first?.tag == "alertsabcdef0123")
                try tx.record(.confirmed, for: [id], owner: "x", at: Self.t0 + .seconds(21))
            }
            let done = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0 + .seconds(30), windows: [.seconds(60)], latest: 1)
            }
            #expect(done.queued == 0)
            #expect(done.windows.first?.sent == 1)
            #expect(done.latest.first?.state == .sent)
            #expect(done.latest.first?.providerMessageID == nil, "confirmed by tag: no message_id")
        }
    }

    @Test func anUnknownOutcomePastMaxAgeExpiresSayingSo() throws {
        try withStore { store, _ in
            let id = try decide(store, Self.alice, .sending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                try tx.record(.unknown(error: "timed out", checkAt: Self.t0 + .seconds(20)), for: [id], owner: "me", at: Self.t0)
                #expect(try tx.expireQueued(decidedBefore: Self.t0 + .seconds(1), at: Self.t0 + .seconds(3600)) == 1)
            }
            let record = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0 + .seconds(3600), windows: [], latest: 1)
            }.latest.first
            #expect(record?.state == .expired)
            #expect(record?.error?.hasPrefix("outcome unknown") == true)
        }
    }

    @Test func queuedDeliveriesPastMaxAgeExpire() throws {
        try withStore { store, _ in
            try decide(store, Self.alice, .pending, at: Self.t0)
            try decide(store, Self.alice, .pending, at: Self.t0 + .seconds(100))
            try store.write { (tx) throws(StateError) in
                #expect(try tx.expireQueued(decidedBefore: Self.t0 + .seconds(50), at: Self.t0 + .seconds(3650)) == 1)
            }
            let snapshot = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0 + .seconds(3650), windows: [.seconds(3600)], latest: 0)
            }
            #expect(snapshot.queued == 1)
            #expect(snapshot.windows.first?.expired == 1)
        }
    }

    @Test func pruningKeepsWhatIsStillQueuedOrHeld() throws {
        try withStore { store, _ in
            for state in DeliveryState.allCases { try decide(store, Self.alice, state, at: Self.t0) }
            let pruned = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(1)) }
            #expect(pruned == DeliveryState.allCases.count - 4)
            let left = try store.queue.read { db in try String.fetchAll(db, sql: "SELECT state FROM delivery ORDER BY state") }
            #expect(left == ["held", "pending", "sending", "unknown"])
            let messages = try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM message") }
            #expect(messages == 4, "messages without deliveries go too")
        }
    }

    @Test func aTransactionThatThrowsLeavesNothingBehind() throws {
        try withStore { store, _ in
            #expect(throws: StateError.self) {
                try store.write { (tx) throws(StateError) in
                    _ = try tx.insert(NewMessage(kind: .alert, text: "x"), at: Self.t0)
                    throw StateError.failed(path: "test", reason: "abort")
                }
            }
            let messages = try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM message") }
            #expect(messages == 0)
        }
    }

    @Test func metaValues() throws {
        try withStore { store, _ in
            try store.write { (tx) throws(StateError) in
                #expect(try tx.value("last_prune") == nil)
                try tx.setValue("1", for: "last_prune")
                try tx.setValue("2", for: "last_prune")
                #expect(try tx.value("last_prune") == "2")
            }
        }
    }
}
