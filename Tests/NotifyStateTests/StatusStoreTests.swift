import Foundation
import Testing

@testable import NotifyState

/// What `status` reads: the queue now, the counts of each window, the latest decisions.
@Suite(.timeLimit(.minutes(2))) struct StatusStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    @Test(arguments: StoreBackend.allCases)
    func anEmptyStoreShowsNothing(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let snapshot = try store.snapshot(at: Self.t0, windows: [.seconds(3600)], latest: 10)
            #expect(snapshot == StatusSnapshot(now: Self.t0, windows: [StatusSnapshot.Window(length: .seconds(3600))]))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func theSnapshotCountsTheQueueAndEachWindow(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            func at(_ seconds: Int64) -> Timestamp { Self.t0 + .seconds(seconds) }
            // A day ago: sent.
            let old = try store.decide(Self.bob, .sending, at: at(-7200))
            try store.write { (tx) throws(StateError) in
                try tx.record(.sent(providerMessageID: "1", nbSMS: 1, cost: 0.045, currency: "EUR"), for: [old], owner: "me", at: at(-7200))
            }
            // Within the hour: expired, queued, held, suppressed, failed, and a digest sent.
            let expired = try store.decide(Self.alice, .pending, at: at(0))
            try store.decide(Self.alice, .pending, at: at(100))
            try store.decide(Self.alice, .sending, at: at(200))
            let unknown = try store.decide(Self.alice, .sending, at: at(300))
            try store.decide(Self.alice, .held, at: at(400), reason: .recipientLimit)
            try store.decide(Self.alice, .held, at: at(400), reason: .recipientLimit)
            try store.decide(Self.bob, .held, at: at(400), reason: .quietHours)
            try store.decide(Self.alice, .duplicate, at: at(500))
            try store.decide(Self.alice, .digested, at: at(500), reason: .recipientLimit)
            let rejected = try store.decide(Self.bob, .sending, at: at(600))
            let unclassified = try store.decide(Self.bob, .failed, at: at(600))
            let digest = try store.decide(Self.alice, .sending, at: at(800), kind: .digest)
            try store.write { (tx) throws(StateError) in
                try tx.record(.unknown(error: "timed out", checkAt: at(900)), for: [unknown], owner: "me", at: at(300))
                try tx.record(.failed(errorClass: "rejected", error: "invalid number"), for: [rejected], owner: "me", at: at(600))
                #expect(try tx.expireQueued(decidedBefore: at(1), at: at(700)) == 1)
                try tx.record(.sent(providerMessageID: "2", nbSMS: 3, cost: 0.135, currency: "EUR"), for: [digest], owner: "me", at: at(800))
            }

            let snapshot = try store.snapshot(at: at(3600), windows: [.seconds(3600), .seconds(86_400)], latest: 3)
            #expect(snapshot.now == at(3600))
            #expect(snapshot.queued == 3 && snapshot.sending == 1 && snapshot.unknown == 1)
            #expect(snapshot.held == 3)
            #expect(snapshot.oldestQueued == at(100))
            #expect(snapshot.lastSent == at(800))
            let hour = try #require(snapshot.windows.first)
            #expect(hour.length == .seconds(3600))
            #expect(hour.sent == 1 && hour.segments == 3 && abs(hour.cost - 0.135) < 1e-9)
            #expect(hour.suppressed == [.recipientLimit: 3, .quietHours: 1, .duplicate: 1], "a duplicate without a reason counts as one")
            #expect(hour.failed == ["rejected": 1, "unknown": 1], "no class: unknown")
            #expect(hour.expired == 1)
            #expect(hour.digests == 1)
            let day = try #require(snapshot.windows.last)
            #expect(day.length == .seconds(86_400))
            #expect(day.sent == 2 && day.segments == 4 && abs(day.cost - 0.18) < 1e-9)
            #expect(day.suppressed == hour.suppressed && day.failed == hour.failed && day.expired == 1 && day.digests == 1)
            #expect(snapshot.latest.map(\.id) == [digest, unclassified, rejected], "newest first, as many as asked")
            let latest = try #require(snapshot.latest.first)
            #expect(latest.state == .sent && latest.nbSMS == 3 && latest.currency == "EUR" && latest.providerMessageID == "2")
            #expect(latest.text == "text" && latest.typeLabel == "PROBLEM" && latest.label == "s" && latest.subject == "s")
            #expect(try store.delivery(expired)?.state == .expired)
        }
    }

    /// A window counts what was sent, failed or expired in it by when that happened, and what
    /// was suppressed by when it was decided.
    @Test(arguments: StoreBackend.allCases)
    func aWindowCountsEachEventByItsOwnTime(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let sent = try store.decide(Self.alice, .pending, at: Self.t0)
            let failed = try store.decide(Self.bob, .sending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                _ = try tx.claimDue(limit: 10, owner: "me", leaseUntil: Self.t0 + .seconds(7200), at: Self.t0)
                try tx.record(.sent(providerMessageID: "1", nbSMS: 1, cost: nil, currency: nil), for: [sent], owner: "me", at: Self.t0 + .seconds(3000))
                try tx.record(.failed(errorClass: "account", error: "no credit"), for: [failed], owner: "me", at: Self.t0 + .seconds(3000))
            }
            let window = try #require(try store.snapshot(at: Self.t0 + .seconds(3600), windows: [.seconds(1000)]).windows.first)
            #expect(window.sent == 1 && window.segments == 1 && window.cost == 0)
            #expect(window.failed == ["account": 1])
            let exact = try #require(try store.snapshot(at: Self.t0 + .seconds(4000), windows: [.seconds(1000)]).windows.first)
            #expect(exact.sent == 1 && exact.failed == ["account": 1], "at the window's start: in it")
            let after = try #require(try store.snapshot(at: Self.t0 + .seconds(4001), windows: [.seconds(1000)]).windows.first)
            #expect(after.sent == 0 && after.failed.isEmpty)
        }
    }
}
