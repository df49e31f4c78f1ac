import AlertModel
import Foundation
import NotifyState
import SMSPartner
import SMSPartnerTesting
import SMSText
import TestSupport
import Testing

@testable import NotifyCore

/// Requests that were sent but never answered (issue 16): never sent again before SMSPartner
/// has been asked, by the message's own tag, whether it took them. Real fake server, real
/// libcurl, real SQLite; the fake's `slowAccept` takes a message only after its delay, whether
/// the client still waits or not.
extension OutboxTests {
    /// Attempts time out after 1 s (a loaded 2-core machine still answers well within it),
    /// and SMSPartner is asked 2.5 s after a request left; the slow provider of these tests
    /// takes a message 1.8 s after it arrived, between the two.
    static let unknownRetry = RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20), attemptTimeout: .seconds(1),
                                          minimumAttempt: .milliseconds(100), lookupDelay: .milliseconds(2500))
    static let slowAcceptance = FakeReply.slowAccept(.milliseconds(1800))

    /// A generic alert with this summary, keyed `k`, for these numbers.
    static func candidate(_ summary: String, to numbers: [String]) throws -> AlertCandidate {
        let notification = Notification(single: Alert(source: .generic, summary: summary, dedupKey: "k"))
        return AlertCandidate(notification: notification, rendered: MessageRenderer().render(notification),
                              recipients: try numbers.map { try PhoneNumber(parsing: $0) }, dedupKey: "k")
    }

    func sendRequests(_ fake: FakeSMSPartner) -> [RecordedRequest] { fake.requests.filter { $0.path == "/v1/send" } }
    func lookups(_ fake: FakeSMSPartner) -> [RecordedRequest] { fake.requests.filter { $0.path == "/v1/bulk-status-by-tag" } }

    @Test func everyMessageHasATagOfItsOwnUnderTheConfiguredPrefix() async throws {
        try await withOutbox(tagPrefix: "nagios") { h in
            _ = try await h.send("disk full", to: [Self.alice])
            _ = try await h.send("load high", to: [Self.alice, Self.bob])
            let tags = h.fake.deliveredMessages.compactMap(\.tag)
            #expect(tags.count == 2)
            #expect(Set(tags).count == 2)
            #expect(tags.allSatisfy { $0.hasPrefix("nagios") && $0.count <= 20 && $0 == $0.lowercased() && !$0.contains(" ") })
            #expect(Set(try h.snapshot().latest.compactMap(\.tag)) == Set(tags), "the store keeps the tag each request carried")
        }
    }

    /// The issue's case: the provider takes the request after the client gave up. The send
    /// waits for the lookup within its budget, finds it, and never sends it again.
    @Test func aSlowAcceptanceIsFoundByItsTagAndNotSentAgain() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.setDefaultReply(Self.slowAcceptance)
            let (_, results) = try await h.send("disk full", to: [Self.alice], within: .seconds(5))
            #expect(results.map(\.outcome) == [.confirmed])
            #expect(results.first?.receipt?.confirmedByTag != nil)
            #expect(sendRequests(h.fake).count == 1)
            #expect(lookups(h.fake).count == 1)
            #expect(h.fake.deliveredMessages.count == 1)
            h.clock.advance(.seconds(3600))
            #expect(try await h.flush().results.isEmpty)
            #expect(sendRequests(h.fake).count == 1, "a later flush sends nothing more")
            let snapshot = try h.snapshot()
            #expect(snapshot.queued == 0)
            #expect(snapshot.latest.first?.state == .sent)
        }
    }

    /// Without the time to ask, the delivery is kept as unknown, and the flush that asks later
    /// finds it taken.
    @Test func withoutTimeToAskItStaysUnknownAndAFlushConfirmsIt() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.setDefaultReply(Self.slowAcceptance)
            let (_, results) = try await h.send("disk full", to: [Self.alice], within: .seconds(5), waitForLookup: false)
            guard case .unknown(_, let checkAt) = results.first?.outcome else {
                Issue.record("expected unknown, got \(results.map(\.outcome))")
                return
            }
            #expect(checkAt > h.clock.now)
            #expect(results.first?.error?.failureClass == .unknown)
            #expect(try h.snapshot().unknown == 1)
            #expect(try await h.flush().results.isEmpty, "not asked before its time")
            try await Task.sleep(for: .seconds(2))  // the provider takes it meanwhile
            h.clock.advance(.seconds(3))
            let report = try await h.flush()
            #expect(report.results.map(\.outcome) == [.confirmed])
            #expect(sendRequests(h.fake).count == 1)
            #expect(lookups(h.fake).count == 1)
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    /// A request that got through but whose connection was reset: found, not sent again.
    @Test func aResetAfterAcceptanceIsConfirmed() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.enqueue(.acceptThenReset)
            let (_, results) = try await h.send("disk full", to: [Self.alice, Self.bob])
            #expect(results.map(\.outcome) == [.confirmed, .confirmed])
            #expect(h.fake.deliveredMessages.count == 1)
            #expect(sendRequests(h.fake).count == 1)
        }
    }

    /// The connection closed after the whole request was sent, and SMSPartner did not take it:
    /// asked, not found, sent again: exactly one SMS.
    @Test func anUnansweredRequestThatWasNotTakenIsSentAgainAfterTheLookup() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.enqueue(.dropConnection)
            let (_, results) = try await h.send("disk full", to: [Self.alice])
            guard case .sent = results.first?.outcome else {
                Issue.record("expected sent, got \(results.map(\.outcome))")
                return
            }
            #expect(sendRequests(h.fake).count == 2)
            #expect(h.fake.deliveredMessages.count == 1)
            // Asked before sending again; on a loaded machine a lookup that outlived its 1 s
            // attempt is asked once more, still before.
            let order = h.fake.requests.map(\.path)
            let asked = lookups(h.fake).count
            #expect((1...2).contains(asked))
            #expect(order == ["/v1/send"] + Array(repeating: "/v1/bulk-status-by-tag", count: asked) + ["/v1/send"], "asked before sending again")
        }
    }

    /// A refused connection never reached SMSPartner: a plain transient failure, retried
    /// without a lookup.
    @Test func aConnectionRefusedIsAPlainRetryWithoutALookup() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            // Port 1 (tcpmux) is privileged and unused: connecting to it on loopback is refused at
            // once (a port freed by a closed server could be taken by another test's meanwhile).
            let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: "http://127.0.0.1:1/v1", userAgent: "test")
            let down = Delivery(client: client, policy: Self.unknownRetry)
            let admission = try h.outbox.admit(try Self.candidate("disk full", to: [Self.alice]), lease: .seconds(60))
            let claims = admission.claims
            let results = try await OwnThread.run { try h.outbox.deliver(claims, with: down, within: .milliseconds(600)) }
            guard case .retry(let errorClass, _, _) = results.first?.outcome else {
                Issue.record("expected retry, got \(results.map(\.outcome)) \(results.map(\.error))")
                return
            }
            #expect(errorClass == "transient")
            h.clock.advance(.seconds(3600 - 1))
            let report = try await h.flush()
            #expect(report.results.map(\.outcome.isSent) == [true])
            #expect(lookups(h.fake).isEmpty, "nothing had reached SMSPartner: nothing to ask")
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    /// While SMSPartner cannot be asked, nothing is sent: the delivery stays unknown and is
    /// asked about again later.
    @Test func aFailedLookupKeepsItUnknownAndSendsNothing() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.enqueue(.dropConnection)
            h.fake.failTagLookups(1000)
            // The lookup comes 2.5 s after the drop; 8 s leaves a loaded machine room to make it
            // (with 4 s, a full parallel run once ran out of budget before asking).
            let (_, results) = try await h.send("disk full", to: [Self.alice], within: .seconds(8))
            guard case .unknown(let error, let checkAt) = results.first?.outcome else {
                Issue.record("expected unknown, got \(results.map(\.outcome))")
                return
            }
            #expect(error.contains("failed"))
            #expect(checkAt > h.clock.now)
            #expect(sendRequests(h.fake).count == 1)
            #expect(lookups(h.fake).count >= 1)
            h.fake.failTagLookups(0)
            h.clock.advance(.seconds(3600 - 1))
            let report = try await h.flush()
            #expect(report.results.map(\.outcome.isSent) == [true])
            #expect(h.fake.deliveredMessages.count == 1)
            #expect(sendRequests(h.fake).count == 2, "sent again only once SMSPartner said it did not have it")
        }
    }

    /// A sender killed after its request went out: the lease runs out, the delivery comes back
    /// unknown, and the flush finds it taken instead of sending it again.
    @Test func aDeadSendersRequestThatWentOutIsNotSentAgain() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            let admission = try h.outbox.admit(try Self.candidate("disk full", to: [Self.alice]), lease: .seconds(60))
            let claim = try #require(admission.claims.first)
            // What the killed process sent before it died.
            _ = try h.sender.client.send(
                h.sender.request(claim.text, to: [try PhoneNumber(parsing: Self.alice)], messageTag: claim.tag), timeout: .seconds(2)).get()
            h.clock.advance(.seconds(61))
            let report = try await h.flush()
            #expect(report.released == 1)
            #expect(report.results.map(\.outcome) == [.confirmed])
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    /// Of a request's numbers, those SMSPartner has are confirmed, the others sent again.
    @Test func onlyTheNumbersNotFoundAreSentAgain() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            let admission = try h.outbox.admit(try Self.candidate("disk full", to: [Self.alice, Self.bob]), lease: .seconds(60))
            let claim = try #require(admission.claims.first)
            _ = try h.sender.client.send(
                h.sender.request(claim.text, to: [try PhoneNumber(parsing: Self.alice)], messageTag: claim.tag), timeout: .seconds(2)).get()
            h.clock.advance(.seconds(61))
            let report = try await h.flush()
            let outcomes = Dictionary(uniqueKeysWithValues: report.results.map { ($0.claim.recipient, $0.outcome) })
            #expect(outcomes[Self.alice] == .confirmed)
            #expect(outcomes[Self.bob]?.isSent == true && outcomes[Self.bob] != .confirmed)
            #expect(h.fake.deliveredMessages.flatMap(\.numbers).sorted() == [Self.alice, Self.bob].sorted())
        }
    }

    /// An API without the lookup (a JSON 404 on it, as from a proxy that is not SMSPartner's)
    /// can never say: the SMS is sent again rather than lost at `max_age`.
    @Test func anAPIWithoutTheLookupGetsItSentAgainNotLost() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.enqueue(.dropConnection)
            h.fake.enqueueTagLookups(.http(status: 404, body: #"{"success":false,"code":404,"message":"Introuvable"}"#, contentType: "application/json"))
            let (_, results) = try await h.send("disk full", to: [Self.alice])
            #expect(results.map(\.outcome.isSent) == [true], "\(results.map(\.outcome))")
            #expect(h.fake.requests.map(\.path) == ["/v1/send", "/v1/bulk-status-by-tag", "/v1/send"])
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    /// Unanswered again and again (a provider that takes each copy too slowly, and no lookup to
    /// say so): the next check is no sooner than a retry would be, not every `lookup_delay`.
    @Test func repeatedUnknownOutcomesBackOffLikeRetries() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.setDefaultReply(Self.slowAcceptance)
            let (_, first) = try await h.send("disk full", to: [Self.alice], waitForLookup: false)
            guard case .unknown(_, let firstCheck) = first.first?.outcome else {
                Issue.record("expected unknown, got \(first.map(\.outcome))")
                return
            }
            #expect(firstCheck - h.clock.now <= .seconds(3), "the first check comes after lookup_delay (2.5 s)")
            h.clock.advance(.seconds(3))
            h.fake.enqueueTagLookups(.http(status: 404, body: "<html>no such route</html>"))
            let report = try await h.flush()
            guard case .unknown(_, let secondCheck) = report.results.first?.outcome else {
                Issue.record("expected unknown again, got \(report.results.map(\.outcome))")
                return
            }
            #expect(secondCheck - h.clock.now >= .seconds(48), "backed off like a second retry (60 s ± 20%): \(secondCheck - h.clock.now)")
        }
    }

    /// Lookups that keep failing for half of `max_age`: sent again (a possible duplicate beats
    /// a page lost at `max_age`).
    @Test func lookupsFailingForHalfOfMaxAgeGiveWayToAResend() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            h.fake.enqueue(.dropConnection)
            h.fake.failTagLookups(1000)
            let (_, results) = try await h.send("disk full", to: [Self.alice], within: .seconds(2))
            guard case .unknown = results.first?.outcome else {
                Issue.record("expected unknown, got \(results.map(\.outcome))")
                return
            }
            h.clock.advance(.seconds(20 * 60))
            #expect(try await h.flush().results.map(\.outcome.isSent) == [false], "before half of max_age: still asking")
            #expect(h.fake.deliveredMessages.isEmpty)
            h.clock.advance(.seconds(15 * 60))
            #expect(try await h.flush().results.map(\.outcome.isSent) == [true], "past half of max_age: sent again")
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    /// A message stored without a tag cannot be asked about: sent again, never confirmed by
    /// whatever else carries the configured tag.
    @Test func withoutATagNothingIsAskedAndItIsSentAgain() async throws {
        try await withOutbox(retry: Self.unknownRetry) { h in
            let request = h.sender.request("disk full", to: [try PhoneNumber(parsing: Self.alice)], messageTag: nil)
            let report = h.sender.deliver(request, within: .seconds(5), lookup: LookupOptions(tag: nil, askFirst: true))
            #expect(report.receipts.count == 1)
            #expect(report.receipts.first?.confirmedByTag == nil)
            #expect(lookups(h.fake).isEmpty)
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }
}
