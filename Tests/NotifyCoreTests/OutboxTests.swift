import AlertModel
import Foundation
import NotifyState
import SMSPartner
import SMSPartnerTesting
import SMSText
import Synchronization
import TestSupport
import Testing

@testable import NotifyCore

/// The outbox on a real SQLite store, sending through the real libcurl client to the fake
/// SMSPartner, with a clock the test moves.
@Suite struct OutboxTests {
    /// A clock that only moves when told to.
    final class TestClock: Sendable {
        let time = Mutex(Timestamp(milliseconds: 1_764_600_000_000))
        var now: Timestamp { time.withLock { $0 } }
        func advance(_ duration: Duration) { time.withLock { $0 = $0 + duration } }
    }

    struct Harness {
        let fake: FakeSMSPartner
        let clock: TestClock
        let outbox: Outbox
        let sender: Delivery
        let scratch: String

        /// Admits and delivers, on a thread of its own: a delivery blocks (curl, backoff, the wait
        /// for a lookup), and blocking the two threads of the concurrency pool of a 2-core machine
        /// for seconds starves every other test of the run.
        func send(_ text: String, to numbers: [String], key: String? = nil, alert: Alert? = nil, within budget: Duration = .seconds(5),
                  waitForLookup: Bool = true) async throws -> (Admission, [DeliveryResult]) {
            try await OwnThread.run { try sendNow(text, to: numbers, key: key, alert: alert, within: budget, waitForLookup: waitForLookup) }
        }

        func sendNow(_ text: String, to numbers: [String], key: String?, alert: Alert?, within budget: Duration,
                     waitForLookup: Bool) throws -> (Admission, [DeliveryResult]) {
            let alert = alert ?? Alert(source: .generic, summary: text, dedupKey: key ?? "key:\(text)")
            let notification = Notification(single: alert)
            let rendered = MessageRenderer().render(notification)
            let candidate = AlertCandidate(notification: notification, rendered: rendered,
                                           recipients: try numbers.map { try PhoneNumber(parsing: $0) }, dedupKey: notification.dedupKey)
            let admission = try outbox.admit(candidate, lease: .seconds(60))
            return (admission, try outbox.deliver(admission.claims, with: sender, within: budget, waitForLookup: waitForLookup))
        }

        func flush() async throws -> FlushReport {
            try await OwnThread.run { try outbox.flush(sender: sender, within: .seconds(5), lease: .seconds(60)) }
        }

        func snapshot() throws -> StatusSnapshot {
            try outbox.store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: clock.now, windows: [.seconds(3600)], latest: 100)
            }
        }
    }

    static let quickRetry = RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20), attemptTimeout: .seconds(2),
                                        minimumAttempt: .milliseconds(100))

    func withOutbox(_ settings: PolicySettings = PolicySettings(), retry: RetryPolicy = OutboxTests.quickRetry, tagPrefix: String? = nil,
                    _ body: (Harness) async throws -> Void) async throws {
        let fake = try await FakeSMSPartner.start()
        let directory = try TemporaryDirectory(prefix: "outbox")
        defer { directory.remove() }
        let scratch = directory.root
        do {
            let clock = TestClock()
            let store = try SQLiteStateStore(directory: scratch)
            let outbox = Outbox(store: store, policy: Policy(settings: settings), digests: DigestComposer(renderer: MessageRenderer()),
                                owner: "test:1", tagPrefix: tagPrefix, now: { clock.now })
            let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "test")
            let sender = Delivery(client: client, policy: retry)
            try await body(Harness(fake: fake, clock: clock, outbox: outbox, sender: sender, scratch: scratch))
            try await fake.shutdown()
        } catch {
            try? await fake.shutdown()
            throw error
        }
    }

    static let alice = "+33611111111"
    static let bob = "+33622222222"

    /// Code 14 refuses the whole request for one number on the STOP list: each number is then
    /// sent alone, and only that one fails.
    @Test func aStopListedNumberFailsAloneTheOthersAreSent() async throws {
        try await withOutbox { h in
            h.fake.enqueue(.error(code: 14), .error(code: 14), .accept)
            let (_, results) = try await h.send("disk full", to: [Self.alice, Self.bob])
            let outcomes = Dictionary(results.map { ($0.claim.recipient, $0.outcome.isSent) }, uniquingKeysWith: { a, _ in a })
            #expect(outcomes == [Self.alice: false, Self.bob: true], "\(results.map(\.outcome))")
            #expect(h.fake.deliveredMessages.map(\.numbers) == [[Self.bob]])
            let failed = results.first { $0.claim.recipient == Self.alice }
            #expect(failed?.error?.description.contains("STOP") == true, "\(String(describing: failed?.error))")
        }
    }

    @Test func theSameAlertTwiceIsSentOnce() async throws {
        try await withOutbox { h in
            let (first, results) = try await h.send("disk full", to: [Self.alice])
            #expect(results.map(\.receipt).allSatisfy { $0 != nil })
            h.clock.advance(.seconds(60))
            let (second, again) = try await h.send("disk full", to: [Self.alice])
            guard case .send(let id) = first.decisions.first?.decision, case .duplicate(let earlier) = second.decisions.first?.decision else {
                Issue.record("expected send then duplicate: \(first.decisions) \(second.decisions)")
                return
            }
            #expect(earlier.id == id)
            #expect(again.isEmpty)
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    @Test func aDuplicateWindowEnds() async throws {
        try await withOutbox(PolicySettings(dedupWindow: .seconds(600))) { h in
            _ = try await h.send("disk full", to: [Self.alice])
            h.clock.advance(.seconds(601))
            _ = try await h.send("disk full", to: [Self.alice])
            #expect(h.fake.deliveredMessages.count == 2)
        }
    }

    @Test func oneRecipientsDuplicateIsAnothersFirst() async throws {
        try await withOutbox { h in
            _ = try await h.send("disk full", to: [Self.alice])
            let (admission, _) = try await h.send("disk full", to: [Self.alice, Self.bob])
            #expect(h.fake.deliveredMessages.map(\.numbers) == [[Self.alice], [Self.bob]])
            #expect(admission.decisions.count == 2)
        }
    }

    @Test func fiftyAlertsSendWhatTheLimitsAllowThenOneDigest() async throws {
        try await withOutbox { h in
            for index in 0..<50 {
                _ = try await h.send("alert \(index)", to: [Self.alice])
                h.clock.advance(.seconds(1))
            }
            #expect(h.fake.deliveredMessages.count == 5, "5/15m")
            #expect(try h.snapshot().held == 45)
            #expect(try await h.flush().results.isEmpty, "the window is still full")
            h.clock.advance(.seconds(15 * 60))
            let report = try await h.flush()
            #expect(report.digests == 1)
            #expect(h.fake.deliveredMessages.count == 6)
            let digest = h.fake.deliveredMessages.last?.message ?? ""
            #expect(digest.hasPrefix("+45 suppressed since "), "\(digest)")
            #expect(digest.contains("45 ALERT"), "\(digest)")
            #expect(try await h.flush().results.isEmpty)
            #expect(try h.snapshot().held == 0)
            #expect(h.fake.deliveredMessages.count == 6)
        }
    }

    @Test func aRecoveryOfAHeldProblemJoinsTheDigest() async throws {
        try await withOutbox(PolicySettings(rateLimits: [RateLimit(count: 1, window: .seconds(60))])) { h in
            _ = try await h.send("first", to: [Self.alice])
            let problem = Alert(source: .nagios, notificationType: "PROBLEM", host: "web01", service: "HTTP", serviceState: "WARNING", output: "slow", dedupKey: "p")
            let (held, _) = try await h.send("", to: [Self.alice], alert: problem)
            guard case .held(.recipientLimit, _) = held.decisions.first?.decision else {
                Issue.record("expected the problem held: \(held.decisions)")
                return
            }
            h.clock.advance(.seconds(61))
            var recovery = problem
            recovery.notificationType = "RECOVERY"
            recovery.serviceState = "OK"
            recovery.dedupKey = "r"
            let (admission, results) = try await h.send("", to: [Self.alice], alert: recovery)
            // The window has reopened: the digest goes out, with the recovery in it, not alone.
            guard case .held(.followsHeld, _) = admission.decisions.first?.decision else {
                Issue.record("expected the recovery held: \(admission.decisions)")
                return
            }
            #expect(admission.digests.values.first == 2)
            #expect(results.count == 1)
            let texts = h.fake.deliveredMessages.compactMap(\.message)
            #expect(texts.count == 2)
            #expect(texts.last?.contains("1 PROBLEM, 1 RECOVERY; web01/HTTP OK") == true, "its latest status: \(texts)")
        }
    }

    @Test func theHourlyCapHoldsEveryRecipient() async throws {
        try await withOutbox(PolicySettings(rateLimits: [], hourlyCap: 3, dailyCap: nil)) { h in
            let (admission, _) = try await h.send("disk full", to: [Self.alice, Self.bob, "+33633333333", "+33644444444"])
            #expect(h.fake.deliveredMessages.first?.numbers.count == 3)
            #expect(admission.decisions.last.map { "\($0.decision)" }?.contains("hourlyCap") == true)
        }
    }

    @Test func aTransientFailureIsQueuedThenFlushedOnceWithBackoff() async throws {
        try await withOutbox { h in
            h.fake.setDefaultReply(.http(status: 500, body: "down"))
            let (_, results) = try await h.send("disk full", to: [Self.alice], within: .milliseconds(500))
            #expect(results.allSatisfy { $0.isQueued })
            #expect(try h.snapshot().queued == 1)
            h.fake.setDefaultReply(.accept)
            #expect(try await h.flush().results.isEmpty, "not due yet: backing off")
            h.clock.advance(.seconds(40))
            let report = try await h.flush()
            #expect(report.results.count == 1)
            #expect(report.remaining == 0)
            h.clock.advance(.seconds(600))
            #expect(try await h.flush().results.isEmpty)
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    @Test func anSMSThatLeavesMoreThanAMinuteLateSaysWhenItHappenedWithinTheBudget() async throws {
        let full = String(String(repeating: "disk full on web01 ", count: 9).prefix(160))
        for (late, stamped) in [(40, false), (200, true)] {
            try await withOutbox { h in
                h.fake.setDefaultReply(.http(status: 500, body: "down"))
                let decided = h.clock.now
                _ = try await h.send(full, to: [Self.alice], within: .milliseconds(500))
                h.fake.setDefaultReply(.accept)
                h.clock.advance(.seconds(Int64(late)))
                #expect(try await h.flush().results.count == 1)
                let text = try #require(h.fake.deliveredMessages.last?.message)
                if stamped {
                    #expect(text.hasPrefix("[\(decided.localTimeOfDay)] disk full on web01"), "\(text)")
                    #expect(text.count <= 160 && (text.hasSuffix("...") || text.hasSuffix("…")), "cut to one segment: \(text)")
                } else {
                    #expect(text == full, "\(late) s is not late")
                }
            }
        }
    }

    @Test func whatOutlivesMaxAgeExpiresUnsent() async throws {
        try await withOutbox(PolicySettings(maxAge: .seconds(300))) { h in
            h.fake.setDefaultReply(.dropConnection)
            _ = try await h.send("disk full", to: [Self.alice], within: .milliseconds(500))
            h.fake.setDefaultReply(.accept)
            h.clock.advance(.seconds(301))
            let report = try await h.flush()
            #expect(report.expired == 1)
            #expect(report.results.isEmpty)
            #expect(h.fake.deliveredMessages.isEmpty)
            #expect(try h.snapshot().windows.first?.expired == 1)
        }
    }

    @Test func aRefusedNumberIsNotRetriedAndTheOthersAreSent() async throws {
        try await withOutbox { h in
            h.fake.enqueue(.error(code: 9))
            let (_, results) = try await h.send("disk full", to: [Self.alice])
            let outcome = try #require(results.first?.outcome)
            guard case .failed(let errorClass, let error) = outcome else {
                Issue.record("not failed: \(outcome)")
                return
            }
            #expect(errorClass == "rejected")
            #expect(error.hasPrefix("SMSPartner refused the request: code 9 (a constraint failed)"), "\(error)")
            h.clock.advance(.seconds(3600))
            #expect(try await h.flush().results.isEmpty)
            #expect(try h.snapshot().windows.first?.failed == ["rejected": 1])
        }
    }

    @Test func aClaimOfADeadSenderIsTakenBackAfterItsLease() async throws {
        try await withOutbox { h in
            _ = try h.outbox.admit(try Self.candidate("disk full", to: [Self.alice]), lease: .seconds(60))  // then "killed": never delivered
            #expect(try await h.flush().results.isEmpty, "still claimed")
            h.clock.advance(.seconds(61))
            let report = try await h.flush()
            #expect(report.released == 1)
            #expect(report.results.count == 1)
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }
}
