import Foundation
import Testing

@testable import NotifyState

/// The facts the policy decides on, and the decisions it records: rate-limit counts,
/// duplicates, held deliveries and their digests, resolved alert instances, and the first
/// decision that did not go out.
@Suite(.timeLimit(.minutes(2))) struct DecisionStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    @Test(arguments: StoreBackend.allCases)
    func urgentSendsAreCountedApart(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
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

    @Test(arguments: StoreBackend.allCases)
    func limitedSendsCountOnlyWhatIsOrWillBeSent(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for (offset, state) in DeliveryState.allCases.enumerated() {
                try store.decide(Self.alice, state, at: Self.t0 + .seconds(Int64(offset)))
            }
            try store.decide(Self.bob, .sent, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                let counted = try tx.limitedSends(to: Self.alice, since: Self.t0)
                #expect(counted.count == DeliveryState.countedTowardLimits.count)
                #expect(try tx.limitedSends(to: nil, since: Self.t0).count == counted.count + 1)
                #expect(try tx.limitedSendCounts(since: [Self.t0, Self.t0 + .seconds(60)]) == [counted.count + 1, 0])
                #expect(try tx.limitedSends(to: Self.alice, since: Self.t0 + .seconds(60)).isEmpty)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aDuplicateNeedsTheSameKeyStatusRecipientAndWindow(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let first = try store.decide(Self.alice, .sent, key: "k1", status: "PROBLEM", at: Self.t0)
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

    @Test(arguments: StoreBackend.allCases)
    func aChangeOfStatusInBetweenEndsTheDuplicate(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.decide(Self.alice, .sent, key: "fp:firing", status: "FIRING", at: Self.t0)
            try store.decide(Self.alice, .sent, key: "fp:resolved", status: "RESOLVED", at: Self.t0 + .seconds(10))
            try store.write { (tx) throws(StateError) in
                // Firing again after resolving is news, even with the same key and status.
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "fp:firing", status: "FIRING", subject: "s", since: Self.t0 - .seconds(60)) == nil)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func failedAndExpiredDeliveriesAreNotDuplicatedAgainst(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.decide(Self.alice, .failed, at: Self.t0)
            try store.decide(Self.alice, .expired, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                #expect(try tx.duplicateOf(recipient: Self.alice, dedupKey: "k", status: "PROBLEM", subject: "s", since: Self.t0 - .seconds(1)) == nil)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func heldEntriesAndDigests(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let a = try store.decide(Self.alice, .held, status: "PROBLEM", subject: "web01/HTTP", at: Self.t0)
            let b = try store.decide(Self.alice, .held, status: "RECOVERY", subject: "web01/HTTP", at: Self.t0 + .seconds(1))
            try store.decide(Self.bob, .sent, at: Self.t0)
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

    @Test(arguments: StoreBackend.allCases)
    func limitedSendCountsCountEachCutoffFromItOn(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            #expect(try store.read { (r) throws(StateError) in try r.limitedSendCounts(since: []) } == [])
            #expect(try store.read { (r) throws(StateError) in try r.limitedSendCounts(since: [Self.t0, Self.t0 - .seconds(5)]) } == [0, 0])
            for (seconds, state) in [(0, DeliveryState.sent), (10, .pending), (20, .sending), (30, .unknown), (40, .failed), (50, .held),
                                     (60, .duplicate), (70, .expired), (80, .digested), (90, .sent)] {
                try store.decide(seconds.isMultiple(of: 20) ? Self.alice : Self.bob, state, at: Self.t0 + .seconds(Int64(seconds)))
            }
            let counts = try store.read { (r) throws(StateError) in
                try r.limitedSendCounts(since: [Self.t0 + .seconds(30), Self.t0, Self.t0 + .seconds(91), Self.t0 + .seconds(90)])
            }
            #expect(counts == [2, 5, 0, 1], "in the order asked; a cutoff includes what was decided at it")
            let sends = try store.read { (r) throws(StateError) in try r.limitedSends(to: nil, since: Self.t0 + .seconds(10)) }
            #expect(sends == [10, 20, 30, 90].map { Self.t0 + .seconds($0) }, "oldest first")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func duplicatesAndHeldOnesCoverALaterAlertButNotADuplicateItself(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.decide(Self.alice, .duplicate, key: "d", at: Self.t0)
            let held = try store.decide(Self.alice, .held, key: "h", at: Self.t0)
            let digested = try store.decide(Self.bob, .digested, key: "h", at: Self.t0)
            let withoutStatus = try store.decide(Self.alice, .pending, key: "n", status: nil, subject: nil, at: Self.t0)
            try store.read { (r) throws(StateError) in
                let since = Self.t0 - .seconds(60)
                #expect(try r.duplicateOf(recipient: Self.alice, dedupKey: "d", status: "PROBLEM", subject: "s", since: since) == nil)
                #expect(try r.duplicateOf(recipient: Self.alice, dedupKey: "h", status: "PROBLEM", subject: "s", since: since)?.id == held)
                #expect(try r.duplicateOf(recipient: Self.bob, dedupKey: "h", status: "PROBLEM", subject: "s", since: since)?.id == digested)
                #expect(try r.duplicateOf(recipient: Self.alice, dedupKey: "n", status: nil, subject: nil, since: since)?.id == withoutStatus,
                        "no status matches no status")
                #expect(try r.duplicateOf(recipient: Self.alice, dedupKey: "n", status: "PROBLEM", subject: nil, since: since) == nil)
                #expect(try r.duplicateOf(recipient: Self.alice, dedupKey: "h", status: "PROBLEM", subject: "s", since: Self.t0)?.id == held,
                        "decided at the window's start: in it")
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func theDuplicateFoundIsTheLatestAndCarriesWhatThePolicyReads(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.decide(Self.alice, .sent, at: Self.t0)
            let latest = try store.decide(Self.alice, .pending, at: Self.t0 + .seconds(5))
            try store.decide(Self.alice, .duplicate, at: Self.t0 + .seconds(6))
            let found = try #require(try store.read { (r) throws(StateError) in
                try r.duplicateOf(recipient: Self.alice, dedupKey: "k", status: "PROBLEM", subject: "s", since: Self.t0)
            })
            #expect(found.id == latest)
            #expect(found.recipient == Self.alice && found.state == .pending && found.status == "PROBLEM")
            #expect(found.createdAt == Self.t0 + .seconds(5) && found.updatedAt == Self.t0 + .seconds(5))
            #expect(found.attempts == 0 && found.sentAt == nil)
            let decision = try store.read { (r) throws(StateError) in try r.latestDecision(recipient: Self.alice, subject: "s") }
            #expect(decision?.id == latest, "a duplicate is no decision of its own")
            #expect(try store.read { (r) throws(StateError) in try r.latestDecision(recipient: Self.bob, subject: "s") } == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func heldEntriesCarryTheirDigestNamesAndReasons(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.write { (tx) throws(StateError) in
                let message = try tx.insert(NewMessage(kind: .alert, text: "t", typeLabel: "PROBLEM", label: "db1/disk", rank: 0, status: "CRITICAL"),
                                            at: Self.t0)
                return try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .held, reason: .quietHours, subject: "db1/disk"),
                                     at: Self.t0)
            }
            let held = try store.read { (r) throws(StateError) in try r.heldEntries(of: Self.alice) }
            #expect(held == [HeldEntry(deliveryID: id, createdAt: Self.t0, typeLabel: "PROBLEM", label: "db1/disk", status: "CRITICAL", rank: 0,
                                       subject: "db1/disk", reason: .quietHours)])
            #expect(held.first?.isUrgent == true)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyHeldDeliveriesAreDigestedOrExpired(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let digested = try store.decide(Self.alice, .held, at: Self.t0)
            let expired = try store.decide(Self.alice, .held, at: Self.t0 + .seconds(1))
            let sent = try store.decide(Self.alice, .sent, at: Self.t0 + .seconds(2))
            try store.write { (tx) throws(StateError) in
                try tx.markDigested([digested, sent], into: 99, at: Self.t0 + .seconds(10))
                try tx.expireHeld([digested, expired, sent], at: Self.t0 + .seconds(20))
                try tx.markDigested([], into: 99, at: Self.t0 + .seconds(20))
                try tx.expireHeld([], at: Self.t0 + .seconds(20))
            }
            let first = try #require(try store.delivery(digested))
            #expect(first.state == .digested && first.digestID == 99 && first.updatedAt == Self.t0 + .seconds(10))
            let second = try #require(try store.delivery(expired))
            #expect(second.state == .expired && second.updatedAt == Self.t0 + .seconds(20))
            #expect(second.error == "quiet hours ended longer than max_age ago: not sent late")
            let third = try #require(try store.delivery(sent))
            #expect(third.state == .sent && third.digestID == nil && third.updatedAt == Self.t0 + .seconds(2))
            #expect(try store.read { (r) throws(StateError) in try r.recipientsWithHeldEntries() }.isEmpty)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func recipientsWithHeldEntriesComeOnceEachInOrder(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            // E.164 numbers, and whatever else a recipient may be written as: ordered as bytes compare.
            let recipients = [Self.bob, Self.alice, "+4915112345678", "ops-b", "Ops-a", "ops-a", "+33 6 11"]
            for recipient in recipients + [Self.bob] { try store.decide(recipient, .held, at: Self.t0) }
            try store.decide("+1202555000", .pending, at: Self.t0)
            #expect(try store.read { (r) throws(StateError) in try r.recipientsWithHeldEntries() } == recipients.sorted())
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func resolvedInstancesAreRememberedOnceUntilPruned(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            #expect(try store.read { (r) throws(StateError) in try r.resolvedInstances(among: []) }.isEmpty)
            try store.write { (tx) throws(StateError) in
                try tx.recordResolved([], at: Self.t0)
                try tx.recordResolved(["fp1@1", "fp2@1", "fp1@1"], at: Self.t0)
                #expect(try tx.resolvedInstances(among: ["fp1@1"]) == ["fp1@1"], "seen in its own transaction")
            }
            try store.write { (tx) throws(StateError) in try tx.recordResolved(["fp1@1", "fp3@1"], at: Self.t0 + .seconds(100)) }
            let found = try store.read { (r) throws(StateError) in try r.resolvedInstances(among: ["fp3@1", "fp1@1", "fp4@1", "fp2@1", "fp1@1"]) }
            #expect(found == ["fp1@1", "fp2@1", "fp3@1"])
            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(50)) }
            let kept = try store.read { (r) throws(StateError) in try r.resolvedInstances(among: ["fp1@1", "fp2@1", "fp3@1"]) }
            #expect(kept == ["fp3@1"], "resolved once: a repeat does not make it younger")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func theFirstUnsentDecisionIsTheOldestThatDidNotGoOutAfterTheTimeGiven(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            #expect(try store.read { (r) throws(StateError) in try r.firstUnsentDecision(after: nil) } == nil, "no traffic")
            for (seconds, state) in [(0, DeliveryState.sent), (1, .duplicate), (2, .held), (3, .digested)] {
                try store.decide(Self.alice, state, at: Self.t0 + .seconds(Int64(seconds)))
            }
            #expect(try store.read { (r) throws(StateError) in try r.firstUnsentDecision(after: nil) } == nil, "everything went out")
            for (seconds, state) in [(10, DeliveryState.failed), (20, .expired), (30, .pending), (40, .sending), (50, .unknown)] {
                try store.decide(Self.alice, state, at: Self.t0 + .seconds(Int64(seconds)))
            }
            try store.read { (r) throws(StateError) in
                #expect(try r.firstUnsentDecision(after: nil) == Self.t0 + .seconds(10))
                #expect(try r.firstUnsentDecision(after: Self.t0 + .seconds(10)) == Self.t0 + .seconds(20), "strictly after")
                #expect(try r.firstUnsentDecision(after: Self.t0 + .seconds(25)) == Self.t0 + .seconds(30))
                #expect(try r.firstUnsentDecision(after: Self.t0 + .seconds(35)) == Self.t0 + .seconds(40))
                #expect(try r.firstUnsentDecision(after: Self.t0 + .seconds(45)) == Self.t0 + .seconds(50))
                #expect(try r.firstUnsentDecision(after: Self.t0 + .seconds(50)) == nil)
            }
        }
    }
}
