import Foundation
import Testing

@testable import NotifyState

/// Delivery receipts: which sent deliveries are tracked, how their looks are claimed and moved
/// on, how a report is recorded (a final state is kept), and what `check` and `status` count.
@Suite(.timeLimit(.minutes(2))) struct ReceiptStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    /// Two deliveries of one request sent at `t0 + 1 s` (message id `P1`), and one still
    /// pending: their ids.
    func sendOneRequest(_ store: any StateStore) throws -> (alice: Int64, bob: Int64, pending: Int64) {
        let alice = try store.decide(Self.alice, .sending, at: Self.t0, text: String(repeating: "é", count: 100), tag: "notifyaaa")
        let bob = try store.decide(Self.bob, .sending, at: Self.t0, text: "short", tag: "notifybbb")
        let pending = try store.decide(Self.bob, .pending, at: Self.t0)
        try store.write { (tx) throws(StateError) in
            try tx.record(.sent(providerMessageID: "P1", nbSMS: 2, cost: nil, currency: nil), for: [alice, bob], owner: "me",
                          at: Self.t0 + .seconds(1))
        }
        return (alice, bob, pending)
    }

    func tracked(_ store: any StateStore, _ providerMessageID: String = "P1") throws -> [ReceiptCheck] {
        try store.read { (r) throws(StateError) in try r.trackedDeliveries(providerMessageID: providerMessageID) }
    }

    func claim(_ store: any StateStore, limit: Int = 10, until: Timestamp, at time: Timestamp) throws -> [Int64] {
        try store.write { (tx) throws(StateError) in try tx.claimDueReceipts(limit: limit, until: until, at: time) }.map(\.id)
    }

    func record(_ store: any StateStore, _ update: ReceiptUpdate, at time: Timestamp) throws -> ReceiptCheck? {
        try store.write { (tx) throws(StateError) in try tx.recordReceipt(update, at: time) }
    }

    @Test(arguments: StoreBackend.allCases)
    func onlySentDeliveriesAreTrackedOnce(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try sendOneRequest(store)
            #expect(try tracked(store).isEmpty, "not tracked before it is asked for")
            try store.write { (tx) throws(StateError) in
                try tx.trackReceipts(for: [], dueAt: Self.t0, at: Self.t0)
                try tx.trackReceipts(for: [ids.alice, ids.bob, ids.pending], dueAt: Self.t0 + .seconds(60), at: Self.t0 + .seconds(1))
            }
            let checks = try tracked(store)
            #expect(checks == [
                ReceiptCheck(id: ids.alice, recipient: Self.alice, providerMessageID: "P1", tag: "notifyaaa", sentAt: Self.t0 + .seconds(1),
                             polls: 0, state: .accepted, about: String(repeating: "é", count: 80)),
                ReceiptCheck(id: ids.bob, recipient: Self.bob, providerMessageID: "P1", tag: "notifybbb", sentAt: Self.t0 + .seconds(1),
                             polls: 0, state: .accepted, about: "short"),
            ])
            let stored = try #require(try store.delivery(ids.alice))
            #expect(stored.receipt == .accepted && stored.receiptAt == Self.t0 + .seconds(1) && stored.receiptDetail == nil)
            #expect(try store.delivery(ids.pending)?.receipt == nil, "not sent: nothing to track")
            #expect(try tracked(store, "P2").isEmpty)

            _ = try record(store, ReceiptUpdate(id: ids.alice, state: .accepted, detail: "Waiting", polled: true, nextCheckAt: Self.t0 + .seconds(90)),
                           at: Self.t0 + .seconds(60))
            try store.write { (tx) throws(StateError) in
                try tx.trackReceipts(for: [ids.alice], dueAt: Self.t0 + .seconds(500), at: Self.t0 + .seconds(61))
            }
            #expect(try tracked(store).first?.polls == 1, "tracked already: starting again would lose its looks")
            #expect(try store.delivery(ids.alice)?.receiptDetail == "Waiting")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aClaimOfDueLooksMovesThemOnSoonestDueFirst(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try sendOneRequest(store)
            let early = try store.decide(Self.alice, .sent, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                try tx.trackReceipts(for: [ids.alice, ids.bob], dueAt: Self.t0 + .seconds(60), at: Self.t0 + .seconds(1))
                try tx.trackReceipts(for: [early], dueAt: Self.t0 + .seconds(30), at: Self.t0 + .seconds(1))
            }
            #expect(try claim(store, until: Self.t0 + .seconds(120), at: Self.t0 + .seconds(29)).isEmpty, "not due yet")
            #expect(try claim(store, limit: 0, until: Self.t0 + .seconds(120), at: Self.t0 + .seconds(60)).isEmpty)
            #expect(try claim(store, limit: 2, until: Self.t0 + .seconds(120), at: Self.t0 + .seconds(60)) == [early, ids.alice])
            #expect(try claim(store, until: Self.t0 + .seconds(120), at: Self.t0 + .seconds(61)) == [ids.bob], "the others are taken")
            #expect(try claim(store, until: Self.t0 + .seconds(180), at: Self.t0 + .seconds(119)).isEmpty, "until the time they were moved to")
            #expect(try claim(store, until: Self.t0 + .seconds(180), at: Self.t0 + .seconds(120)) == [ids.alice, ids.bob, early],
                    "a poller that died leaves them due again (at one time: in the order tracked)")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aLookWithoutAFinalReportCountsItsPollAndSetsTheNext(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try sendOneRequest(store)
            try store.write { (tx) throws(StateError) in
                try tx.trackReceipts(for: [ids.alice, ids.bob], dueAt: Self.t0 + .seconds(60), at: Self.t0 + .seconds(1))
            }
            #expect(try record(store, ReceiptUpdate(id: ids.alice, state: .accepted, polled: true, nextCheckAt: Self.t0 + .seconds(300)),
                               at: Self.t0 + .seconds(60)) == nil)
            #expect(try record(store, ReceiptUpdate(id: ids.alice, state: .accepted, polled: false, nextCheckAt: Self.t0 + .seconds(400)),
                               at: Self.t0 + .seconds(61)) == nil)
            #expect(try tracked(store).map(\.polls) == [1, 0], "a push is no poll")
            #expect(try store.delivery(ids.alice)?.receiptDetail == nil)
            #expect(try claim(store, until: Self.t0 + .seconds(900), at: Self.t0 + .seconds(399)) == [ids.bob])
            #expect(try claim(store, until: Self.t0 + .seconds(900), at: Self.t0 + .seconds(400)) == [ids.alice])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aFinalReportIsKeptAndReturnsTheDeliveryAsItWas(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try sendOneRequest(store)
            try store.write { (tx) throws(StateError) in
                try tx.trackReceipts(for: [ids.alice, ids.bob], dueAt: Self.t0 + .seconds(60), at: Self.t0 + .seconds(1))
            }
            _ = try record(store, ReceiptUpdate(id: ids.alice, state: .accepted, polled: true, nextCheckAt: Self.t0 + .seconds(300)),
                           at: Self.t0 + .seconds(60))
            let before = try record(store, ReceiptUpdate(id: ids.alice, state: .delivered, detail: "Delivered", polled: true),
                                    at: Self.t0 + .seconds(300))
            #expect(before?.id == ids.alice && before?.state == .accepted && before?.polls == 1 && before?.recipient == Self.alice)
            #expect(before?.providerMessageID == "P1" && before?.tag == "notifyaaa" && before?.sentAt == Self.t0 + .seconds(1))
            var stored = try #require(try store.delivery(ids.alice))
            #expect(stored.receipt == .delivered && stored.receiptAt == Self.t0 + .seconds(300) && stored.receiptDetail == "Delivered")
            #expect(try tracked(store).map(\.state) == [.delivered, .accepted])
            #expect(try tracked(store).map(\.polls) == [2, 0])

            // A later report, final or not, changes nothing.
            #expect(try record(store, ReceiptUpdate(id: ids.alice, state: .notDelivered, detail: "late", polled: false), at: Self.t0 + .seconds(400)) == nil)
            #expect(try record(store, ReceiptUpdate(id: ids.alice, state: .accepted, detail: "again", polled: true, nextCheckAt: Self.t0),
                               at: Self.t0 + .seconds(401)) == nil)
            stored = try #require(try store.delivery(ids.alice))
            #expect(stored.receipt == .delivered && stored.receiptAt == Self.t0 + .seconds(300) && stored.receiptDetail == "Delivered")
            #expect(try tracked(store).map(\.polls) == [2, 0])
            #expect(try claim(store, until: Self.t0 + .seconds(900), at: Self.t0 + .seconds(500)) == [ids.bob], "a final one is not looked at again")

            let pushed = try record(store, ReceiptUpdate(id: ids.bob, state: .notDelivered, detail: "operator flood protection (4103)", polled: false),
                                    at: Self.t0 + .seconds(501))
            #expect(pushed?.state == .accepted && pushed?.polls == 0)
            #expect(try tracked(store).map(\.polls) == [2, 0], "a push is no poll")
            #expect(try record(store, ReceiptUpdate(id: ids.pending, state: .delivered, polled: false), at: Self.t0 + .seconds(502)) == nil,
                    "not tracked: nothing to record")
            #expect(try store.delivery(ids.pending)?.receipt == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func theSummaryCountsTheReceiptsOfWhatWasSentInTheWindow(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var ids: [Int64] = []
            for (seconds, final) in [(0, ReceiptState.delivered), (10, .notDelivered), (20, .expired), (30, nil), (40, nil), (50, .delivered)] {
                let id = try store.decide(Self.alice, .sending, at: Self.t0 + .seconds(Int64(seconds)))
                try store.write { (tx) throws(StateError) in
                    try tx.record(.sent(providerMessageID: "P\(seconds)", nbSMS: 1, cost: nil, currency: nil), for: [id], owner: "me",
                                  at: Self.t0 + .seconds(Int64(seconds)))
                    try tx.trackReceipts(for: [id], dueAt: Self.t0 + .seconds(60), at: Self.t0 + .seconds(Int64(seconds)))
                    if let final { _ = try tx.recordReceipt(ReceiptUpdate(id: id, state: final, polled: true), at: Self.t0 + .seconds(100)) }
                }
                ids.append(id)
            }
            let untracked = try store.decide(Self.alice, .sending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                try tx.record(.confirmed, for: [untracked], owner: "me", at: Self.t0 + .seconds(5))
            }
            let summary = try store.read { (r) throws(StateError) in
                try r.receiptSummary(sentSince: Self.t0 + .seconds(10), staleBefore: Self.t0 + .seconds(35))
            }
            #expect(summary == ReceiptSummary(counts: [.notDelivered: 1, .expired: 1, .accepted: 2, .delivered: 1], stale: 1))
            #expect(summary.undeliveredShare == 0.5)
            #expect(summary.withoutReport == 2)
            let empty = try store.read { (r) throws(StateError) in try r.receiptSummary(sentSince: Self.t0 + .seconds(51), staleBefore: Self.t0) }
            #expect(empty == ReceiptSummary())
            let window = try store.snapshot(at: Self.t0 + .seconds(3641), windows: [.seconds(3650)]).windows.first
            #expect(window?.receipts == ReceiptSummary(counts: [.notDelivered: 1, .expired: 1, .accepted: 2, .delivered: 2], stale: 2),
                    "status: stale when still accepted an hour after it was sent")
        }
    }
}
