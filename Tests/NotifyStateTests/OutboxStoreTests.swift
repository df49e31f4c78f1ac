import Foundation
import Testing

@testable import NotifyState

/// The outbox: claims in event order under a lease, the outcome of each attempt (a failure
/// only from the sender that still holds the claim, a success whatever happened meanwhile),
/// leases that run out, and deliveries that outlive `max_age`.
@Suite(.timeLimit(.minutes(2))) struct OutboxStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    /// One outcome of each kind, with what a test tells them by.
    static let outcomes: [(name: String, outcome: DeliveryOutcome)] = [
        ("sent", .sent(providerMessageID: "307", nbSMS: 2, cost: 0.09, currency: "EUR")),
        ("failed", .failed(errorClass: "rejected", error: "invalid number")),
        ("retry", .retry(errorClass: "transient", error: "HTTP 503", retryAt: t0 + .seconds(600))),
        ("expired", .expired),
        ("unknown", .unknown(error: "timed out", checkAt: t0 + .seconds(300))),
        ("confirmed", .confirmed),
    ]

    /// A number of its own for the outcome at `index`.
    static func recipient(_ index: Int) -> String { "+336000000\(10 + index)" }

    @Test(arguments: StoreBackend.allCases)
    func claimsComeInEventOrderPerRecipientWithWhatIsQueuedFromBefore(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            // Alice's first SMS waits longer (its backoff's jitter) than her second: both go, first first.
            let first = try store.decide(Self.alice, .pending, key: "a", at: Self.t0, text: "first")
            let second = try store.decide(Self.alice, .pending, key: "b", at: Self.t0 + .seconds(1), text: "second")
            let bobs = try store.decide(Self.bob, .pending, key: "c", at: Self.t0 + .seconds(2), text: "bob")
            try store.write { (tx) throws(StateError) in
                _ = try tx.claimDue(limit: 10, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(2))
                try tx.record(.retry(errorClass: "transient", error: "HTTP 500", retryAt: Self.t0 + .seconds(100)), for: [first], owner: "me",
                              at: Self.t0 + .seconds(3))
                try tx.record(.retry(errorClass: "transient", error: "HTTP 500", retryAt: Self.t0 + .seconds(10)), for: [second, bobs], owner: "me",
                              at: Self.t0 + .seconds(3))
            }
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(20))
            }
            #expect(claimed.map(\.text) == ["first", "second", "bob"], "not yet due, but before what is: it goes first")
            // A send's own claim takes the recipient's queue along, oldest first, not what is unknown.
            let third = try store.decide(Self.alice, .pending, key: "d", at: Self.t0 + .seconds(30), text: "third")
            let fourth = try store.decide(Self.alice, .pending, key: "e", at: Self.t0 + .seconds(31), text: "fourth")
            try store.write { (tx) throws(StateError) in
                let claimed = try tx.claimEarlier(of: Self.alice, before: third + 1, owner: "me", leaseUntil: Self.t0 + .seconds(60),
                                                  at: Self.t0 + .seconds(30))
                #expect(claimed.map(\.deliveryID) == [third], "what is claimed already is not claimed again")
                try tx.record(.unknown(error: "timed out", checkAt: Self.t0 + .seconds(1000)), for: [third], owner: "me", at: Self.t0 + .seconds(30))
            }
            let earlier = try store.write { (tx) throws(StateError) in
                try tx.claimEarlier(of: Self.alice, before: fourth + 1, owner: "me", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(32))
            }
            #expect(earlier.map(\.text) == ["fourth"], "the unknown one waits for its lookup; the claimed ones are taken")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aClaimKeepsToItsLimitOldestFirst(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for index in 0..<5 {
                try store.decide(Self.alice, .pending, key: "k\(index)", at: Self.t0 + .seconds(Int64(index)), text: "m\(index)")
            }
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 2, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(10))
            }
            #expect(claimed.map(\.text) == ["m0", "m1"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func claimingRecordingAndRetrying(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.decide(Self.alice, .pending, at: Self.t0)
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

    @Test(arguments: StoreBackend.allCases)
    func aSuccessIsSharedBetweenARequestsRecipients(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let a = try store.decide(Self.alice, .sending, at: Self.t0)
            let b = try store.decide(Self.bob, .sending, at: Self.t0)
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
    @Test(arguments: StoreBackend.allCases)
    func aDeadSendersLeaseRunsOutAndItsDeliveryComesBackUnknown(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.decide(Self.alice, .sending, at: Self.t0, owner: "killed")
            try store.write { (tx) throws(StateError) in
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(29)) == 0)
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(31)) == 1)
                let claimed = try tx.claimDue(limit: 1, owner: "flush", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(31))
                #expect(claimed.map(\.deliveryID) == [id])
                #expect(claimed.first?.outcomeUnknown == true)
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func anUnknownOutcomeWaitsForItsLookupCountsAndCoversDuplicates(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
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

    @Test(arguments: StoreBackend.allCases)
    func anUnknownOutcomePastMaxAgeExpiresSayingSo(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.decide(Self.alice, .sending, at: Self.t0)
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

    @Test(arguments: StoreBackend.allCases)
    func queuedDeliveriesPastMaxAgeExpire(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.decide(Self.alice, .pending, at: Self.t0)
            try store.decide(Self.alice, .pending, at: Self.t0 + .seconds(100))
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

    @Test(arguments: StoreBackend.allCases)
    func aClaimLeasesWhatItReturnsWithItsMessage(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.decide(Self.alice, .pending, at: Self.t0, text: "DOWN web01", tag: "notifyabc123")
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(5))
            }
            let record = try #require(try store.delivery(id))
            #expect(claimed == [ClaimedDelivery(deliveryID: id, messageID: record.messageID, recipient: Self.alice, text: "DOWN web01",
                                                createdAt: Self.t0, attempts: 0, tag: "notifyabc123", outcomeUnknown: false)])
            #expect(record.state == .sending && record.leaseUntil == Self.t0 + .seconds(60))
            #expect(record.attempts == 1 && record.updatedAt == Self.t0 + .seconds(5))
            let snapshot = try store.snapshot(at: Self.t0 + .seconds(5))
            #expect(snapshot.queued == 1 && snapshot.sending == 1 && snapshot.oldestQueued == Self.t0)
        }
    }

    /// What a recipient queued before a due delivery goes along, and counts toward the limit.
    @Test(arguments: StoreBackend.allCases)
    func whatIsQueuedFromBeforeCountsTowardTheLimit(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try (0..<3).map { index in
                try store.decide(Self.alice, .pending, key: "k\(index)", at: Self.t0 + .seconds(Int64(index)), text: "m\(index)")
            }
            try store.write { (tx) throws(StateError) in
                _ = try tx.claimEarlier(of: Self.alice, before: ids[1], owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(3))
                try tx.record(.retry(errorClass: "transient", error: "HTTP 500", retryAt: Self.t0 + .seconds(100)), for: [ids[0]], owner: "me",
                              at: Self.t0 + .seconds(3))
            }
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 2, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(10))
            }
            #expect(claimed.map(\.text) == ["m0", "m1"], "m0 backs off, but goes before m1; m2 waits for the next claim")
            #expect(claimed.map(\.attempts) == [1, 0])
            let rest = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 2, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(10))
            }
            #expect(rest.map(\.text) == ["m2"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aSendClaimsOnlyWhatItsRecipientQueuedBeforeIt(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let first = try store.decide(Self.alice, .pending, key: "a", at: Self.t0, text: "first")
            try store.decide(Self.bob, .pending, key: "b", at: Self.t0 + .seconds(1), text: "bob")
            let second = try store.decide(Self.alice, .pending, key: "c", at: Self.t0 + .seconds(2), text: "second")
            let own = try store.decide(Self.alice, .sending, key: "d", at: Self.t0 + .seconds(3), text: "own")
            try store.decide(Self.alice, .pending, key: "e", at: Self.t0 + .seconds(4), text: "later")
            try store.write { (tx) throws(StateError) in
                _ = try tx.claimEarlier(of: Self.alice, before: first + 1, owner: "me", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(3))
                try tx.record(.retry(errorClass: "transient", error: "HTTP 500", retryAt: Self.t0 + .seconds(900)), for: [first], owner: "me",
                              at: Self.t0 + .seconds(3))
            }
            let earlier = try store.write { (tx) throws(StateError) in
                try tx.claimEarlier(of: Self.alice, before: own, owner: "send", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(5))
            }
            #expect(earlier.map(\.text) == ["first", "second"], "due or not, oldest first; not another's, not its own, not a later one")
            #expect(earlier.map(\.deliveryID) == [first, second])
            #expect(try store.delivery(first)?.leaseUntil == Self.t0 + .seconds(60))
            #expect(try store.write { (tx) throws(StateError) in
                try tx.claimEarlier(of: Self.alice, before: own, owner: "send", leaseUntil: Self.t0 + .seconds(60), at: Self.t0 + .seconds(5))
            }.isEmpty, "claimed once")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func eachOutcomeIsRecordedForTheOwnerOfTheClaim(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for (index, (name, outcome)) in Self.outcomes.enumerated() {
                // A first attempt failed and backed off; the second one's outcome is recorded.
                let id = try store.decide(Self.recipient(index), .pending, at: Self.t0)
                try store.write { (tx) throws(StateError) in
                    _ = try tx.claimEarlier(of: Self.recipient(index), before: id + 1, owner: "me", leaseUntil: Self.t0 + .seconds(30), at: Self.t0)
                    try tx.record(.retry(errorClass: "transient", error: "HTTP 500", retryAt: Self.t0 + .seconds(1)), for: [id], owner: "me", at: Self.t0)
                    _ = try tx.claimEarlier(of: Self.recipient(index), before: id + 1, owner: "me", leaseUntil: Self.t0 + .seconds(30),
                                            at: Self.t0 + .seconds(2))
                    try tx.record(outcome, for: [id], owner: "me", at: Self.t0 + .seconds(5))
                }
                let record = try #require(try store.delivery(id), "\(name)")
                #expect(record.attempts == 2 && record.updatedAt == Self.t0 + .seconds(5), "\(name)")
                #expect(record.leaseUntil == nil, "\(name): the claim ends")
                switch outcome {
                case .sent(let providerMessageID, let nbSMS, let cost, let currency):
                    #expect(record.state == .sent && record.sentAt == Self.t0 + .seconds(5) && record.nextAttemptAt == nil)
                    #expect(record.providerMessageID == providerMessageID && record.nbSMS == nbSMS && record.currency == currency)
                    #expect(abs((record.cost ?? 0) - (cost ?? 0)) < 1e-9)
                    #expect(record.errorClass == nil && record.error == nil, "sent: the earlier failure is no longer the story")
                case .failed(let errorClass, let error):
                    #expect(record.state == .failed && record.errorClass == errorClass && record.error == error && record.nextAttemptAt == nil)
                    #expect(record.sentAt == nil)
                case .retry(let errorClass, let error, let retryAt):
                    #expect(record.state == .pending && record.errorClass == errorClass && record.error == error && record.nextAttemptAt == retryAt)
                case .expired:
                    #expect(record.state == .expired && record.nextAttemptAt == nil)
                    #expect(record.errorClass == "transient" && record.error == "HTTP 500", "the last failure says why")
                case .unknown(let error, let checkAt):
                    #expect(record.state == .unknown && record.errorClass == "unknown" && record.error == error && record.nextAttemptAt == checkAt)
                case .confirmed:
                    #expect(record.state == .sent && record.sentAt == Self.t0 + .seconds(5) && record.nextAttemptAt == nil)
                    #expect(record.providerMessageID == nil && record.nbSMS == nil && record.cost == nil && record.currency == nil)
                    #expect(record.errorClass == nil && record.error == nil)
                }
            }
            // What comes back to the queue is claimed again when due, marked when its outcome is unknown.
            let retried = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "later", leaseUntil: Self.t0 + .seconds(999), at: Self.t0 + .seconds(599))
            }
            #expect(retried.map(\.recipient) == [Self.recipient(4)])
            #expect(retried.map(\.outcomeUnknown) == [true])
            let again = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "later", leaseUntil: Self.t0 + .seconds(999), at: Self.t0 + .seconds(600))
            }
            #expect(again.map(\.recipient) == [Self.recipient(2)])
            #expect(again.map(\.outcomeUnknown) == [false])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailureIsRecordedOnlyWhileItsOwnerStillHoldsTheClaim(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for (index, (name, outcome)) in Self.outcomes.enumerated() where !outcome.isSent {
                let recipient = Self.recipient(index)
                let id = try store.decide(recipient, .sending, at: Self.t0, owner: "me")
                // Another sender's outcome: nothing changes.
                try store.write { (tx) throws(StateError) in try tx.record(outcome, for: [id], owner: "other", at: Self.t0 + .seconds(1)) }
                var record = try #require(try store.delivery(id), "\(name)")
                #expect(record.state == .sending && record.leaseUntil == Self.t0 + .seconds(30) && record.updatedAt == Self.t0, "\(name)")
                // Its lease ran out and it came back unknown: the late outcome changes nothing.
                try store.write { (tx) throws(StateError) in
                    _ = try tx.releaseExpiredLeases(at: Self.t0 + .seconds(31))
                    try tx.record(outcome, for: [id], owner: "me", at: Self.t0 + .seconds(32))
                }
                record = try #require(try store.delivery(id), "\(name)")
                #expect(record.state == .unknown && record.updatedAt == Self.t0 + .seconds(31), "\(name)")
                // Claimed again by another sender: still nothing, until that sender records it.
                let claimed = try store.write { (tx) throws(StateError) in
                    try tx.claimDue(limit: 10, owner: "flush", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(33))
                }
                #expect(claimed.map(\.deliveryID) == [id], "\(name)")
                try store.write { (tx) throws(StateError) in try tx.record(outcome, for: [id], owner: "me", at: Self.t0 + .seconds(34)) }
                record = try #require(try store.delivery(id), "\(name)")
                #expect(record.state == .sending && record.leaseUntil == Self.t0 + .seconds(90), "\(name)")
                try store.write { (tx) throws(StateError) in try tx.record(outcome, for: [id], owner: "flush", at: Self.t0 + .seconds(35)) }
                record = try #require(try store.delivery(id), "\(name)")
                #expect(record.state != .sending && record.leaseUntil == nil && record.updatedAt == Self.t0 + .seconds(35), "\(name)")
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aSuccessIsRecordedWhateverHappenedMeanwhile(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for (name, outcome) in Self.outcomes where outcome.isSent {
                // Claimed by another sender now; back as unknown; expired since; failed for good.
                let reclaimed = try store.decide(Self.alice, .sending, at: Self.t0 + .seconds(10), owner: "other")
                let released = try store.decide(Self.alice, .sending, at: Self.t0, owner: "me")
                let expired = try store.decide(Self.alice, .sending, at: Self.t0, owner: "me")
                let failed = try store.decide(Self.alice, .sending, at: Self.t0, owner: "me")
                try store.write { (tx) throws(StateError) in
                    try tx.record(.failed(errorClass: "rejected", error: "x"), for: [failed], owner: "me", at: Self.t0 + .seconds(1))
                    try tx.record(.unknown(error: "timed out", checkAt: Self.t0 + .seconds(20)), for: [expired], owner: "me", at: Self.t0 + .seconds(1))
                    _ = try tx.expireQueued(decidedBefore: Self.t0 + .seconds(1), at: Self.t0 + .seconds(2))
                    #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(31)) == 1)
                    try tx.record(outcome, for: [reclaimed, released, expired, failed], owner: "me", at: Self.t0 + .seconds(40))
                }
                for id in [reclaimed, released, expired, failed] {
                    let record = try #require(try store.delivery(id), "\(name)")
                    #expect(record.state == .sent && record.sentAt == Self.t0 + .seconds(40) && record.leaseUntil == nil, "\(name)")
                    #expect(record.errorClass == nil && record.error == nil && record.nextAttemptAt == nil, "\(name)")
                }
                #expect(try store.snapshot(at: Self.t0 + .seconds(40)).queued == 0, "\(name)")
            }
            let window = try store.snapshot(at: Self.t0 + .seconds(40), windows: [.seconds(60)]).windows.first
            #expect(window?.sent == 8)
            #expect(window?.segments == 4, "2 SMS over 4 recipients: 1 each (rounded up)")
            #expect(abs((window?.cost ?? 0) - 0.09) < 1e-9)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func anEmptyListOfIDsRecordsNothing(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.decide(Self.alice, .sending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                for (_, outcome) in Self.outcomes { try tx.record(outcome, for: [], owner: "me", at: Self.t0 + .seconds(1)) }
            }
            #expect(try store.delivery(id)?.state == .sending)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyLeasesThatRanOutAreReleasedOnce(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let killed = try store.decide(Self.alice, .sending, at: Self.t0, owner: "killed")
            let alive = try store.decide(Self.alice, .sending, at: Self.t0 + .seconds(30), owner: "alive")
            let waiting = try store.decide(Self.bob, .pending, at: Self.t0)
            try store.write { (tx) throws(StateError) in
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(30)) == 0, "the lease holds until its end")
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(31)) == 1)
                #expect(try tx.releaseExpiredLeases(at: Self.t0 + .seconds(31)) == 0)
            }
            let record = try #require(try store.delivery(killed))
            #expect(record.state == .unknown && record.leaseUntil == nil && record.nextAttemptAt == Self.t0 + .seconds(31))
            #expect(record.updatedAt == Self.t0 + .seconds(31) && record.errorClass == "unknown")
            #expect(record.error == "its sender stopped before recording an outcome; SMSPartner is asked before it is sent again")
            #expect(try store.delivery(alive)?.state == .sending)
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "flush", leaseUntil: Self.t0 + .seconds(90), at: Self.t0 + .seconds(31))
            }
            #expect(claimed.map(\.deliveryID) == [killed, waiting])
            #expect(claimed.map(\.outcomeUnknown) == [true, false])
            #expect(claimed.map(\.attempts) == [1, 0])
            #expect(try store.snapshot(at: Self.t0 + .seconds(31)).unknown == 0, "claimed again: being sent")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func onlyPendingAndUnknownDeliveriesDecidedBeforeTheCutoffExpire(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let pending = try store.decide(Self.alice, .pending, at: Self.t0)
            let unknown = try store.decide(Self.alice, .sending, at: Self.t0)
            let sending = try store.decide(Self.alice, .sending, at: Self.t0)
            let held = try store.decide(Self.alice, .held, at: Self.t0)
            let failed = try store.decide(Self.alice, .failed, at: Self.t0)
            let recent = try store.decide(Self.bob, .pending, at: Self.t0 + .seconds(100))
            try store.write { (tx) throws(StateError) in
                try tx.record(.unknown(error: "timed out", checkAt: Self.t0 + .seconds(20)), for: [unknown], owner: "me", at: Self.t0 + .seconds(1))
                #expect(try tx.expireQueued(decidedBefore: Self.t0 + .seconds(100), at: Self.t0 + .seconds(3600)) == 2)
                #expect(try tx.expireQueued(decidedBefore: Self.t0 + .seconds(100), at: Self.t0 + .seconds(3601)) == 0)
            }
            let records = try Dictionary(uniqueKeysWithValues: store.deliveries().map { ($0.id, $0) })
            #expect(records[pending]?.state == .expired && records[pending]?.error == nil && records[pending]?.nextAttemptAt == nil)
            #expect(records[pending]?.updatedAt == Self.t0 + .seconds(3600))
            #expect(records[unknown]?.state == .expired && records[unknown]?.nextAttemptAt == nil)
            #expect(records[unknown]?.error == "outcome unknown: SMSPartner never confirmed it (timed out)")
            #expect(records[sending]?.state == .sending, "being sent: its sender records it")
            #expect(records[held]?.state == .held, "a digest's business")
            #expect(records[failed]?.state == .failed)
            #expect(records[recent]?.state == .pending, "decided at the cutoff: not before it")
            let claimed = try store.write { (tx) throws(StateError) in
                try tx.claimDue(limit: 10, owner: "flush", leaseUntil: Self.t0 + .seconds(3700), at: Self.t0 + .seconds(3600))
            }
            #expect(claimed.map(\.deliveryID) == [recent], "never sent late")
        }
    }
}
