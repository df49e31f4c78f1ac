import Foundation
import GRDB
import TestSupport
import Testing

@testable import NotifyState

/// Escalations: one active per subject, advanced and stopped in place, pruned with history;
/// a store from before them gets the table.
@Suite struct EscalationStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)

    func escalation(_ subject: String = "nagios:web01/HTTP") -> Escalation {
        Escalation(subject: subject, policy: "default", label: "web01/HTTP", source: "nagios", target: nil, text: "PROBLEM web01/HTTP",
                   steps: 2, startedAt: Self.t0, nextAt: Self.t0 + .seconds(600), paged: ["+33611111111"])
    }

    @Test func oneActivePerSubjectAdvancedAndStoppedInPlace() throws {
        let scratch = try TemporaryDirectory(prefix: "escalations")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root)
        var stored = escalation()
        stored.id = try store.write { (tx) throws(StateError) in try tx.insert(stored, at: Self.t0) }
        #expect(throws: StateError.self, "a second active escalation of one subject is refused") {
            try store.write { (tx) throws(StateError) in _ = try tx.insert(escalation(), at: Self.t0) }
        }
        #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "nagios:web01/HTTP") } == stored)

        stored.step = 1
        stored.firedAt = Self.t0 + .seconds(600)
        stored.nextAt = nil
        stored.exhaustedAt = Self.t0 + .seconds(600)
        stored.paged.append("+33622222222")
        try store.write { (tx) throws(StateError) in try tx.update(stored, at: Self.t0 + .seconds(600)) }
        stored.updatedAt = Self.t0 + .seconds(600)
        #expect(try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 10) } == [stored])
        let snapshot = try store.read { (r) throws(StateError) in try r.statusSnapshot(now: Self.t0, windows: [], latest: 0) }
        #expect(snapshot.escalations == [stored])

        stored.stoppedAt = Self.t0 + .seconds(700)
        stored.stopReason = .acked
        try store.write { (tx) throws(StateError) in try tx.update(stored, at: Self.t0 + .seconds(700)) }
        #expect(try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 10) }.isEmpty)
        let again = try store.write { (tx) throws(StateError) in try tx.insert(escalation(), at: Self.t0 + .seconds(800)) }
        #expect(again != stored.id, "a stopped one leaves room for the next")

        _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(900)) }
        let rows = try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM escalation") }
        #expect(rows == 0, "pruned with the history")
    }

    @Test func theLatestDeliveryOfEachNumberAboutTheSubjectsSkipsDuplicatesAndOthers() throws {
        let scratch = try TemporaryDirectory(prefix: "escalations")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root)
        let latest = try store.write { (tx) throws(StateError) -> [DeliveryRecord] in
            let message = try tx.insert(NewMessage(kind: .alert, text: "x"), at: Self.t0)
            func add(_ recipient: String, _ subject: String, _ state: DeliveryState, at seconds: Int64) throws(StateError) {
                _ = try tx.insert(NewDelivery(messageID: message, recipient: recipient, state: state, subject: subject), at: Self.t0 + .seconds(seconds))
            }
            try add("+33611111111", "s", .failed, at: 1)
            try add("+33611111111", "s", .duplicate, at: 2)
            try add("+33611111111", "other", .pending, at: 3)
            try add("+33622222222", "escalation:s", .sent, at: 4)
            try add("+33633333333", "s", .sent, at: -10)
            return try tx.latestDeliveries(to: ["+33611111111", "+33622222222", "+33633333333"], about: ["s", "escalation:s"], since: Self.t0)
        }
        #expect(latest.map(\.recipient) == ["+33611111111", "+33622222222"])
        #expect(latest.map(\.state) == [.failed, .sent])
    }

    /// A store from before escalations gets the table; what it had stays.
    @Test func aVersion6StoreGetsEscalations() throws {
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
        let id = try store.write { (tx) throws(StateError) in try tx.insert(escalation("s"), at: Self.t0) }
        #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "s") }?.id == id)
    }
}
