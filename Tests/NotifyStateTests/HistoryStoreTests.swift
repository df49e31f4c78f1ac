import Foundation
import Testing

@testable import NotifyState

/// Pruning: what was decided before the cutoff and is finished goes, with the messages,
/// pages, replies, escalations and heartbeats of that time; what is still queued or held stays.
@Suite(.timeLimit(.minutes(2))) struct HistoryStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    @Test(arguments: StoreBackend.allCases)
    func pruningKeepsWhatIsStillQueuedOrHeld(_ backend: StoreBackend) async throws {
        try await backend.withStore(inspecting: { store, tables in
            for state in DeliveryState.allCases { try store.decide(Self.alice, state, at: Self.t0) }
            let pruned = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(1)) }
            #expect(pruned == DeliveryState.allCases.count - 4)
            let left = try store.deliveries().map(\.state.rawValue).sorted()
            #expect(left == ["held", "pending", "sending", "unknown"])
            #expect(try tables.count("message") == 4, "messages without deliveries go too")
        })
    }

    @Test(arguments: StoreBackend.allCases)
    func pruningDeletesWhatWasFinishedBeforeTheCutoffInEveryTable(_ backend: StoreBackend) async throws {
        try await backend.withStore(inspecting: { store, tables in
            let cutoff = Self.t0 + .seconds(100)
            let old = try store.decide(Self.alice, .sent, at: Self.t0)
            try store.decide(Self.alice, .failed, key: "f", at: Self.t0)
            let atCutoff = try store.decide(Self.bob, .expired, at: cutoff)
            let queued = try store.decide(Self.bob, .pending, at: Self.t0)
            // One message, two deliveries on either side of the cutoff: the message stays.
            let (shared, later) = try store.write { (tx) throws(StateError) in
                let message = try tx.insert(NewMessage(kind: .alert, text: "shared"), at: Self.t0)
                let early = try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .sent), at: Self.t0)
                return (early, try tx.insert(NewDelivery(messageID: message, recipient: Self.bob, state: .duplicate), at: cutoff + .seconds(1)))
            }
            let reply = NewReply(messageID: "m1|+33611111111|ACK", sender: Self.alice, text: "ACK", command: "ack")
            let recent = NewReply(messageID: "m2|+33611111111|ACK", sender: Self.alice, text: "ACK", command: "ack")
            let escalation = Escalation(subject: "old", policy: "p", label: "l", source: "nagios", target: nil, text: "t", steps: 1,
                                        startedAt: Self.t0, nextAt: Self.t0 + .seconds(600))
            try store.write { (tx) throws(StateError) in
                _ = try tx.open(NewPage(recipient: Self.alice, code: "4F", subject: "old", source: "nagios", target: nil, text: "t"), at: Self.t0)
                _ = try tx.open(NewPage(recipient: Self.alice, code: "7K", subject: "touched", source: "nagios", target: nil, text: "t"), at: Self.t0)
                _ = try tx.open(NewPage(recipient: Self.alice, code: "7K", subject: "touched", source: "nagios", target: nil, text: "t"), at: cutoff)
                for (reply, time) in [(reply, Self.t0), (recent, cutoff)] {
                    if let id = try tx.recordReply(reply, repeatedSince: Self.t0, at: time) { try tx.setReplyOutcome(id, "acknowledged") }
                }
                _ = try tx.insert(escalation, at: Self.t0)
                var touched = escalation
                touched.subject = "touched"
                _ = try tx.insert(touched, at: cutoff)
                try tx.recordHeartbeat(cluster: "https://old.example.org", at: Self.t0)
                try tx.recordHeartbeat(cluster: "https://recent.example.org", at: cutoff)
            }
            let messages = try tables.count("message")

            let pruned = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: cutoff) }
            #expect(pruned == 3, "finished and decided before the cutoff")
            #expect(try Set(store.deliveries().map(\.id)) == [atCutoff, queued, later])
            #expect(try tables.count("message") == messages - 2, "the pruned deliveries' own messages, not the shared one")
            #expect(try store.delivery(old) == nil && store.delivery(shared) == nil)
            try store.read { (r) throws(StateError) in
                #expect(try r.pages(of: Self.alice, resolvedSince: Self.t0).map(\.subject) == ["touched"], "refreshed since: kept")
                #expect(try r.activeEscalations(limit: 10).map(\.subject) == ["touched"], "not stopped, but not touched since")
                #expect(try r.heartbeats().map(\.cluster) == ["https://recent.example.org"])
            }
            #expect(try tables.count("reply") == 1)
            let again = try store.write { (tx) throws(StateError) in
                (try tx.recordReply(reply, repeatedSince: Self.t0, at: cutoff + .seconds(1)),
                 try tx.recordReply(recent, repeatedSince: Self.t0, at: cutoff + .seconds(1)))
            }
            #expect(again.0 != nil, "its earlier copy was pruned")
            #expect(again.1 == nil, "its earlier copy was kept")
            #expect(try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: cutoff) } == 0, "nothing more")
        })
    }
}
