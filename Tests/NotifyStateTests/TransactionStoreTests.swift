import Foundation
import Testing

@testable import NotifyState

/// What a transaction promises: a write commits when its body returns and leaves nothing when
/// it throws; nothing is seen by another store before the commit; a read sees one state; the
/// write probe; values kept by name.
@Suite(.timeLimit(.minutes(2))) struct TransactionStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"

    /// What a test's write throws to abort.
    static let abort = StateError.failed(path: "test", reason: "abort")

    @Test(arguments: StoreBackend.allCases)
    func aTextWithANulCharacterIsKeptUpToItAndFailsNothing(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.write { (tx) throws(StateError) in
                let message = try tx.insert(NewMessage(kind: .alert, text: "disk full\u{0}hidden"), at: Self.t0)
                try tx.setValue("label\u{0}tail", for: "k")
                return try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .pending, subject: "web\u{0}01"), at: Self.t0)
            }
            let stored = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0, windows: [], latest: 1).latest.first
            }
            #expect(stored?.id == id)
            #expect(stored?.text == "disk full")
            #expect(stored?.subject == "web")
            #expect(try store.storedValue("k") == "label")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aTransactionThatThrowsLeavesNothingBehind(_ backend: StoreBackend) async throws {
        try await backend.withStore(inspecting: { store, tables in
            let queued = try store.decide(Self.alice, .sending, at: Self.t0)
            let messages = try tables.count("message")
            #expect(throws: Self.abort, "the body's own error") {
                try store.write { (tx) throws(StateError) in
                    let message = try tx.insert(NewMessage(kind: .alert, text: "x"), at: Self.t0)
                    _ = try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .sent), at: Self.t0)
                    try tx.record(.sent(providerMessageID: "1", nbSMS: 1, cost: nil, currency: nil), for: [queued], owner: "me", at: Self.t0)
                    _ = try tx.open(NewPage(recipient: Self.alice, code: "4F", subject: "s", source: "nagios", target: nil, text: "t"), at: Self.t0)
                    _ = try tx.recordReply(NewReply(messageID: "m", sender: Self.alice, text: "ACK", command: "ack"), repeatedSince: Self.t0,
                                           at: Self.t0)
                    _ = try tx.insert(Escalation(subject: "s", policy: "p", label: "l", source: "nagios", target: nil, text: "t", steps: 1,
                                                 startedAt: Self.t0, nextAt: nil), at: Self.t0)
                    try tx.recordHeartbeat(cluster: "https://am.example.org", at: Self.t0)
                    try tx.save(CheckRun(name: "backup", state: "ok", since: Self.t0, failures: 0, alerted: nil, lastOutput: nil, updatedAt: Self.t0))
                    try tx.recordResolved(["fp@1"], at: Self.t0)
                    try tx.setValue("1", for: "key")
                    throw Self.abort
                }
            }
            #expect(try tables.count("message") == messages)
            #expect(try tables.count("reply") == 0)
            #expect(try store.deliveries().map(\.id) == [queued])
            #expect(try store.delivery(queued)?.state == .sending)
            try store.read { (r) throws(StateError) in
                #expect(try r.openPages(about: "s").isEmpty)
                #expect(try r.activeEscalations(limit: 10).isEmpty)
                #expect(try r.heartbeats().isEmpty)
                #expect(try r.checkRun(named: "backup") == nil)
                #expect(try r.resolvedInstances(among: ["fp@1"]).isEmpty)
            }
            #expect(try store.storedValue("key") == nil)
        })
    }

    /// A statement refused inside a write (here the unique active escalation of a subject)
    /// fails alone: a body that catches it goes on, and what it did besides is committed.
    @Test(arguments: StoreBackend.allCases)
    func aStatementRefusedInsideAWriteLeavesTheRestToCommit(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let escalation = Escalation(subject: "s", policy: "p", label: "l", source: "nagios", target: nil, text: "t", steps: 1,
                                        startedAt: Self.t0, nextAt: nil)
            let (first, refused) = try store.write { (tx) throws(StateError) -> (Int64, Bool) in
                let first = try tx.insert(escalation, at: Self.t0)
                do {
                    _ = try tx.insert(escalation, at: Self.t0)
                    return (first, false)
                } catch {
                    return (first, true)
                }
            }
            #expect(refused, "one active escalation per subject")
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "s") }?.id == first, "committed")
            let after = try store.write { (tx) throws(StateError) -> String? in
                do {
                    _ = try tx.insert(escalation, at: Self.t0)
                } catch {
                    try tx.setValue("after", for: "key")
                }
                return try tx.value("key")
            }
            #expect(after == "after", "the transaction goes on after the refused statement")
            #expect(try store.storedValue("key") == "after")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func valuesAreKeptByName(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.write { (tx) throws(StateError) in
                #expect(try tx.value("last_prune") == nil)
                try tx.setValue("1", for: "last_prune")
                try tx.setValue("2", for: "last_prune")
                #expect(try tx.value("last_prune") == "2")
                try tx.setValue("", for: "empty")
                try tx.setValue("été ✓", for: "text")
            }
            #expect(try store.storedValue("last_prune") == "2")
            #expect(try store.storedValue("empty") == "", "empty is not missing")
            #expect(try store.storedValue("text") == "été ✓")
            #expect(try store.storedValue("other") == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aProbeThatIsNotKeptLeavesNothingAndAKeptOneStays(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.probeWrite("1", for: "probe", keep: false)
            #expect(try store.storedValue("probe") == nil)
            try store.probeWrite("2", for: "probe", keep: true)
            #expect(try store.storedValue("probe") == "2")
            try store.probeWrite("3", for: "probe", keep: false)
            #expect(try store.storedValue("probe") == "2", "rolled back: the value before stays")
            try store.probeWrite("4", for: "probe", keep: true)
            #expect(try store.storedValue("probe") == "4")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aWriteAndAReadReturnWhatTheirBodyReturns(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let written = try store.write { (_) throws(StateError) in 42 }
            #expect(written == 42)
            let read = try store.read { (_) throws(StateError) in "read" }
            #expect(read == "read")
            #expect(throws: Self.abort) { try store.read { (_) throws(StateError) -> Int in throw Self.abort } }
            let again = try store.write { (_) throws(StateError) in 43 }
            #expect(again == 43, "usable after a failed read")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func anotherStoreSeesAWriteOnlyOnceItIsCommitted(_ backend: StoreBackend) async throws {
        try await backend.withStores(count: 2) { stores, _ in
            let (writer, reader) = (stores[0], stores[1])
            let seenInside = try writer.write { (tx) throws(StateError) -> [Timestamp] in
                try tx.setValue("uncommitted", for: "key")
                let message = try tx.insert(NewMessage(kind: .alert, text: "x"), at: Self.t0)
                _ = try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .sent), at: Self.t0)
                #expect(try tx.limitedSends(to: Self.alice, since: Self.t0).count == 1, "the transaction sees its own writes")
                return try reader.read { (r) throws(StateError) in try r.limitedSends(to: Self.alice, since: Self.t0) }
            }
            #expect(seenInside.isEmpty, "not before the commit")
            #expect(try reader.read { (r) throws(StateError) in try r.limitedSends(to: Self.alice, since: Self.t0) } == [Self.t0])
            #expect(try reader.storedValue("key") == "uncommitted")
        }
    }

    /// A read is one consistent view: what another store commits while it runs is not seen by
    /// its later queries.
    @Test(arguments: StoreBackend.allCases)
    func aReadSeesOneStateWhileAnotherStoreCommits(_ backend: StoreBackend) async throws {
        try await backend.withStores(count: 2) { stores, _ in
            let (reader, writer) = (stores[0], stores[1])
            try writer.decide(Self.alice, .sent, at: Self.t0)
            let (before, after) = try reader.read { (r) throws(StateError) -> (Int, Int) in
                let before = try r.limitedSends(to: Self.alice, since: Self.t0).count
                do {
                    try writer.decide(Self.alice, .sent, key: "other", at: Self.t0 + .seconds(1))
                } catch {
                    throw StateError.failed(path: "test", reason: "\(error)")
                }
                return (before, try r.limitedSendCounts(since: [Self.t0]).first ?? -1)
            }
            #expect(before == 1)
            #expect(after == 1, "the commit came after the read began")
            #expect(try reader.read { (r) throws(StateError) in try r.limitedSendCounts(since: [Self.t0]) } == [2])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aSecondStoreOnTheSameLocationFindsWhatTheFirstCommitted(_ backend: StoreBackend) async throws {
        try await backend.withStores(count: 2) { stores, _ in
            try stores[0].decide(Self.alice, .sent, at: Self.t0)
            let sends = try stores[1].write { (tx) throws(StateError) in try tx.limitedSends(to: Self.alice, since: Self.t0 - .seconds(1)) }
            #expect(sends == [Self.t0])
            try stores[1].decide(Self.alice, .pending, at: Self.t0 + .seconds(1))
            #expect(try stores[0].deliveries().count == 2)
        }
    }

    /// Text comes back as it was stored, whatever its characters (quotes, `%` and `_`,
    /// backslashes, emoji, an empty string).
    @Test(arguments: StoreBackend.allCases)
    func anyTextIsKeptAsGiven(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for text in ["été ✓ 🚨\nline 2\t'quoted' \"double\" \\ back % _ ;", ""] {
                let id = try store.decide(Self.alice, .pending, key: text, status: text, subject: text, at: Self.t0, text: text, tag: text)
                let record = try #require(try store.delivery(id))
                #expect(record.text == text && record.dedupKey == text && record.status == text && record.subject == text && record.tag == text)
                #expect(try store.read { (r) throws(StateError) in
                    try r.duplicateOf(recipient: Self.alice, dedupKey: text, status: text, subject: text, since: Self.t0)
                }?.id == id)
                try store.write { (tx) throws(StateError) in try tx.setValue(text, for: text) }
                #expect(try store.storedValue(text) == text)
            }
        }
    }
}
