import AlertModel
import Foundation
import NotifyState
import SMSPartner
import SMSPartnerTesting
import SMSText
import TestSupport
import Testing

@testable import NotifyCore

/// Quiet hours in the outbox, on a real store and the fake SMSPartner, with a clock the test
/// moves: what is held, what goes through, and the one digest at the end of the window.
@Suite struct QuietHoursOutboxTests {
    typealias Harness = OutboxTests.Harness

    static let alice = OutboxTests.alice
    static let bob = OutboxTests.bob

    /// Every night from 22:00 to 07:00, Paris time; criticals allowed.
    static func nightly() throws -> QuietHours {
        try QuietHoursTests.schedule([("mon-sun", "22:00", "07:00")])
    }

    func withQuietOutbox(_ quietHours: QuietHoursSettings, at start: Timestamp, escalation: EscalationSettings? = nil,
                         policy: PolicySettings = PolicySettings(),
                         _ body: (Harness) async throws -> Void) async throws {
        let fake = try await FakeSMSPartner.start()
        let directory = try TemporaryDirectory(prefix: "quiet")
        defer { directory.remove() }
        do {
            let clock = OutboxTests.TestClock()
            clock.time.withLock { $0 = start }
            let store = try SQLiteStateStore(directory: directory.root)
            let outbox = Outbox(store: store, policy: Policy(settings: policy), digests: DigestComposer(renderer: MessageRenderer()),
                                owner: "test:1", twoWay: TwoWaySettings(enabled: escalation != nil),
                                escalation: escalation ?? EscalationSettings(), quietHours: quietHours, now: { clock.now })
            let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "test")
            let sender = Delivery(client: client, policy: OutboxTests.quickRetry)
            try await body(Harness(fake: fake, clock: clock, outbox: outbox, sender: sender, scratch: directory.root))
            try await fake.shutdown()
        } catch {
            try? await fake.shutdown()
            throw error
        }
    }

    static func nagios(_ type: String, host: String, service: String, state: String, key: String) -> Alert {
        Alert(source: .nagios, notificationType: type, host: host, service: service, serviceState: state, output: "\(state) output", dedupKey: key)
    }

    func moveTo(_ h: Harness, _ time: Timestamp) {
        h.clock.time.withLock { $0 = time }
    }

    /// 23:00 a warning is held; 23:30 a critical goes through (and its recovery at 01:00, it
    /// closes what was texted); 00:10 a warning fires and resolves at 02:00, counted not texted;
    /// at 07:00 exactly one digest, the still-firing warning first.
    @Test func aNightIsHeldThenOneDigestAtSeven() async throws {
        let utc = QuietHoursTests.utc
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 12, 2, 22, 0)) { h in
            let (first, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web01", service: "HTTP", state: "WARNING", key: "w1"))
            guard case .held(.quietHours, let detail) = first.decisions.first?.decision else {
                Issue.record("expected held by quiet hours: \(first.decisions)")
                return
            }
            #expect(detail == "quiet hours until 07:00 (Europe/Paris)")
            #expect(OutcomeText.line(.held(.quietHours, detail: detail), to: try PhoneNumber(parsing: Self.alice))?
                .hasPrefix("held: +33611111111: quiet hours until 07:00 (Europe/Paris)") == true)
            #expect(h.fake.deliveredMessages.isEmpty)

            moveTo(h, utc(2026, 12, 2, 22, 30))
            let (critical, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "db1", service: "disk", state: "CRITICAL", key: "c1"))
            guard case .send = critical.decisions.first?.decision else {
                Issue.record("expected the critical sent: \(critical.decisions)")
                return
            }
            #expect(critical.digests.isEmpty, "no digest with it during quiet hours")
            #expect(h.fake.deliveredMessages.count == 1)

            moveTo(h, utc(2026, 12, 2, 23, 10))
            _ = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web02", service: "load", state: "WARNING", key: "w2"))
            moveTo(h, utc(2026, 12, 3, 0, 0))
            let (closing, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("RECOVERY", host: "db1", service: "disk", state: "OK", key: "c1r"))
            guard case .send = closing.decisions.first?.decision else {
                Issue.record("the recovery of a critical texted at night goes through: \(closing.decisions)")
                return
            }
            moveTo(h, utc(2026, 12, 3, 1, 0))
            let (recovery, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("RECOVERY", host: "web02", service: "load", state: "OK", key: "w2r"))
            guard case .held(.quietHours, _) = recovery.decisions.first?.decision else {
                Issue.record("the recovery of a held warning is held: \(recovery.decisions)")
                return
            }
            #expect(h.fake.deliveredMessages.count == 2)

            moveTo(h, utc(2026, 12, 3, 5, 59))
            #expect(try await h.flush().digests == 0, "06:59: still quiet")
            #expect(h.fake.deliveredMessages.count == 2)

            moveTo(h, utc(2026, 12, 3, 6, 0))
            let morning = try await h.flush()
            #expect(morning.digests == 1)
            let texts = h.fake.deliveredMessages.compactMap(\.message)
            #expect(texts.count == 3)
            let digest = texts.last ?? ""
            #expect(digest.hasPrefix("+3 held in quiet hours since "), "\(digest)")
            #expect(digest.contains(": web01/HTTP WARNING; 1 fired and resolved overnight: web02/load"), "\(digest)")
            #expect(try await h.flush().digests == 0)
            #expect(h.fake.deliveredMessages.count == 3)
            #expect(try h.snapshot().held == 0)
        }
    }

    /// The night of 24 to 25 October 2026 (clocks back at 03:00): the digest goes at 07:00
    /// local, 06:00 UTC, not an hour early.
    @Test func acrossTheAutumnChangeTheDigestGoesAtSevenLocal() async throws {
        let utc = QuietHoursTests.utc
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 10, 24, 21, 0)) { h in
            let (held, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web01", service: "HTTP", state: "WARNING", key: "w1"))
            guard case .held(.quietHours, _) = held.decisions.first?.decision else {
                Issue.record("expected held: \(held.decisions)")
                return
            }
            moveTo(h, utc(2026, 10, 25, 5, 0))
            #expect(try await h.flush().digests == 0, "06:00 CET, still quiet (it would be 07:00 in summer time)")
            moveTo(h, utc(2026, 10, 25, 5, 59))
            #expect(try await h.flush().digests == 0)
            moveTo(h, utc(2026, 10, 25, 6, 0))
            #expect(try await h.flush().digests == 1)
            #expect(h.fake.deliveredMessages.count == 1)
        }
    }

    /// The tool's own SMS (the dead man's switch here) go through quiet hours.
    @Test func theDeadMansSwitchIsNotQuiet() async throws {
        let utc = QuietHoursTests.utc
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 12, 2, 23, 0)) { h in
            let message = Outbox.DirectMessage(kind: .deadman, text: "Alertmanager silent for 10m", source: "deadman", typeLabel: "DEADMAN",
                                               label: "cluster", dedupKey: "deadman:cluster", status: "silent", detail: "dead man's switch")
            let alice = try PhoneNumber(parsing: Self.alice)
            let decisions = try h.outbox.store.write { (tx) throws(StateError) in
                try h.outbox.queue(message, to: [alice], in: tx, at: h.clock.now)
            }
            guard case .send = decisions.first?.decision else {
                Issue.record("expected queued: \(decisions)")
                return
            }
            let report = try await h.flush()
            #expect(report.results.count == 1)
            #expect(h.fake.deliveredMessages.compactMap(\.message) == ["Alertmanager silent for 10m"])
        }
    }

    /// A receiver's `quiet_hours: off` (bob) beats the top level's (alice keeps hers); an
    /// Alertmanager `severity=critical` goes through, `severity=warning` does not.
    @Test func anOverrideAndAlertmanagerSeverities() async throws {
        let utc = QuietHoursTests.utc
        let settings = QuietHoursSettings(everyone: try Self.nightly(), byNumber: [Self.bob: QuietHours?.none])
        try await withQuietOutbox(settings, at: utc(2026, 12, 2, 23, 0)) { h in
            let warning = Alert(source: .alertmanager, notificationType: "firing", summary: "disk 85%", severity: "warning", dedupKey: "am-w")
            let (admission, _) = try await h.send("", to: [Self.alice, Self.bob], alert: warning)
            let byNumber = Dictionary(uniqueKeysWithValues: admission.decisions.map { ($0.recipient.e164, $0.decision) })
            guard case .held(.quietHours, _) = byNumber[Self.alice], case .send = byNumber[Self.bob] else {
                Issue.record("alice held, bob texted: \(admission.decisions)")
                return
            }
            let critical = Alert(source: .alertmanager, notificationType: "firing", summary: "disk 99%", severity: "critical", dedupKey: "am-c")
            let (second, _) = try await h.send("", to: [Self.alice], alert: critical)
            guard case .send = second.decisions.first?.decision else {
                Issue.record("a critical goes through: \(second.decisions)")
                return
            }
            #expect(h.fake.deliveredMessages.count == 2)
        }
    }

    /// `send --dry-run`'s preview says it is held and until when.
    @Test func thePreviewSaysUntilWhen() async throws {
        let utc = QuietHoursTests.utc
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 12, 2, 23, 0)) { h in
            let notification = AlertModel.Notification(single: Self.nagios("PROBLEM", host: "web01", service: "HTTP", state: "WARNING", key: "w1"))
            let alice = try PhoneNumber(parsing: Self.alice)
            let preview = try h.outbox.preview(notification, to: [alice], dedupKey: "w1")
            #expect(preview.map { OutcomeText.preview($0.decision, to: $0.recipient) }
                == ["+33611111111: held, quiet hours until 07:00 (Europe/Paris)"])
            let summary = try h.outbox.store.read { (reader) throws(StateError) in
                try HeldSummary.read(reader, quietHours: h.outbox.quietHours, now: h.clock.now)
            }
            #expect(summary.isEmpty, "a preview records nothing")
        }
    }

    /// A window that ended while nothing flushed (`serve` down): its digest goes at the next
    /// flush if that is within `max_age` (1h) of the end, else the held alerts expire unsent.
    @Test func aDigestLateByMoreThanMaxAgeExpires() async throws {
        let utc = QuietHoursTests.utc
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 12, 2, 22, 0)) { h in
            _ = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web01", service: "HTTP", state: "WARNING", key: "w1"))
            moveTo(h, utc(2026, 12, 3, 6, 50))
            #expect(try await h.flush().digests == 1, "07:50: fresh, sent")
            #expect(h.fake.deliveredMessages.count == 1)

            moveTo(h, utc(2026, 12, 3, 22, 0))
            _ = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web02", service: "HTTP", state: "WARNING", key: "w2"))
            #expect(try h.snapshot().held == 1)
            moveTo(h, utc(2026, 12, 4, 7, 1))
            #expect(try await h.flush().digests == 0, "08:01: more than max_age after 07:00")
            #expect(h.fake.deliveredMessages.count == 1)
            #expect(try h.snapshot().held == 0, "expired, not left held")
            let expired = try h.snapshot().latest.filter { $0.state == .expired }
            #expect(expired.count == 1)
        }
    }

    /// Nobody is paged for what quiet hours hold: a held WARNING starts no escalation; a
    /// CRITICAL that goes through does (its steps are the tool's own SMS).
    @Test func aQuietHoldStartsNoEscalation() async throws {
        let utc = QuietHoursTests.utc
        let escalation = EscalationSettings(policies: ["default": EscalationPolicy(name: "default", steps: [
            EscalationStep(to: [try PhoneNumber(parsing: Self.bob)]),
        ])])
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 12, 2, 22, 0), escalation: escalation) { h in
            let (held, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web01", service: "HTTP", state: "WARNING", key: "w1"))
            guard case .held(.quietHours, _) = held.decisions.first?.decision else {
                Issue.record("expected held: \(held.decisions)")
                return
            }
            #expect(held.escalation == nil)
            #expect(h.fake.deliveredMessages.isEmpty)
            let (critical, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "db1", service: "disk", state: "CRITICAL", key: "c1"))
            #expect(critical.escalation != nil)
            h.clock.advance(.seconds(120))  // the claim of the first step's SMS (taken with the alert's) runs out
            _ = try await h.flush()
            #expect(h.fake.deliveredMessages.flatMap(\.numbers).sorted() == [Self.alice, Self.bob])
        }
    }

    /// A storm at night: a CRITICAL over the (urgent) limit is held by the limit and its digest
    /// goes at night, alone; a WARNING the limit would have held is held by quiet hours and
    /// waits for the morning digest.
    @Test func aNightDigestCarriesOnlyWhatQuietHoursAllow() async throws {
        let utc = QuietHoursTests.utc
        let limits = PolicySettings(rateLimits: [RateLimit(count: 1, window: .seconds(60))])
        try await withQuietOutbox(QuietHoursSettings(everyone: try Self.nightly()), at: utc(2026, 12, 2, 22, 0), policy: limits) { h in
            _ = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "db1", service: "disk", state: "CRITICAL", key: "c1"))
            h.clock.advance(.seconds(10))
            let (second, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "db2", service: "disk", state: "CRITICAL", key: "c2"))
            guard case .held(.recipientLimit, _) = second.decisions.first?.decision else {
                Issue.record("the second critical is held by the limit: \(second.decisions)")
                return
            }
            h.clock.advance(.seconds(10))
            let (warning, _) = try await h.send("", to: [Self.alice], alert: Self.nagios("PROBLEM", host: "web01", service: "HTTP", state: "WARNING", key: "w1"))
            guard case .held(.quietHours, _) = warning.decisions.first?.decision else {
                Issue.record("the warning is held by quiet hours, not by the limit: \(warning.decisions)")
                return
            }
            h.clock.advance(.seconds(120))
            #expect(try await h.flush().digests == 1)
            let night = h.fake.deliveredMessages.compactMap(\.message)
            #expect(night.count == 2)
            #expect(night.last?.contains("db2/disk CRITICAL") == true && night.last?.contains("web01") == false, "\(night)")
            #expect(try h.snapshot().held == 1)

            moveTo(h, utc(2026, 12, 3, 6, 0))
            #expect(try await h.flush().digests == 1)
            let morning = h.fake.deliveredMessages.compactMap(\.message).last ?? ""
            #expect(morning.hasPrefix("+1 held in quiet hours") && morning.contains("web01/HTTP WARNING"), "\(morning)")
        }
    }
}
