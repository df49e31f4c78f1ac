import Foundation
import GRDB
import TestSupport
import Testing

@testable import NotifyState

/// The checks of `run`: one row per name, replaced in place, pruned with the history and
/// bounded; a store from before them (version 8) gets the table.
@Suite struct CheckRunStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)

    func check(_ name: String, at time: Timestamp = t0) -> CheckRun {
        CheckRun(name: name, state: "failing", since: time, failures: 1, alerted: nil, lastOutput: "disk full", updatedAt: time)
    }

    @Test func oneRowPerNameReplacedInPlace() throws {
        let scratch = try TemporaryDirectory(prefix: "check-runs")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root)
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == nil)
        var stored = check("backup")
        try store.write { (tx) throws(StateError) in try tx.save(stored) }
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == stored)
        stored.failures = 2
        stored.alerted = "failing"
        stored.lastOutput = nil
        stored.updatedAt = Self.t0 + .seconds(60)
        try store.write { (tx) throws(StateError) in try tx.save(stored) }
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == stored)
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "other") } == nil)
        let rows = try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM check_run") }
        #expect(rows == 1)
    }

    @Test func prunedWhenNotRunFor400DaysBeyondTheHistory() throws {
        let scratch = try TemporaryDirectory(prefix: "check-runs")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root)
        try store.write { (tx) throws(StateError) in
            try tx.save(check("old", at: Self.t0))
            try tx.save(check("recent", at: Self.t0 + .seconds(100)))
        }
        _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(50)) }
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "old") } != nil, "a monthly job keeps its state")
        let cutoff = Self.t0 + SQLiteStateStore.checkRunRetention + .seconds(50)
        _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: cutoff) }
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "old") } == nil)
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "recent") } != nil)
    }

    @Test func boundedWhateverTheirAge() throws {
        let scratch = try TemporaryDirectory(prefix: "check-runs")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root)
        let count = SQLiteStateStore.maxCheckRuns + 5
        try store.queue.write { db in
            for index in 0..<count {
                try db.execute(sql: "INSERT INTO check_run (name, state, since, failures, updated_at) VALUES (?, 'ok', 0, 0, ?)",
                               arguments: ["c\(index)", Self.t0.milliseconds + Int64(index)])
            }
        }
        _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0) }
        let rows = try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM check_run") }
        #expect(rows == SQLiteStateStore.maxCheckRuns)
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "c0") } == nil, "the least recently run go first")
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "c\(count - 1)") } != nil)
    }

    @Test func aVersion8StoreGetsTheTable() throws {
        let scratch = try TemporaryDirectory(prefix: "check-runs")
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.root + "/old", withIntermediateDirectories: true)
        let old = try DatabaseQueue(path: scratch.root + "/old/state.db")
        try Schema.migrator.migrate(old, upTo: "v8: escalations")
        try old.write { db in try db.execute(sql: "PRAGMA user_version = 8") }
        try old.close()
        let store = try SQLiteStateStore(directory: scratch.root + "/old")
        #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Schema.version)
        try store.write { (tx) throws(StateError) in try tx.save(check("backup")) }
        #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == check("backup"))
    }
}
