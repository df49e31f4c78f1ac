import AlertModel
import Foundation
import NotifyState
import SMSPartner
import SMSPartnerTesting
import SMSText
import TestSupport
import Testing

@testable import NotifyCore

/// Escalation policies on a real SQLite store, with a clock the test moves; what they queue is
/// delivered by the outbox to the fake SMSPartner through the real libcurl client.
///
/// The policy: alice gets the alert; the first step pages bob with her (at once), the second
/// pages carol ten minutes after the first page.
@Suite struct EscalatorTests {
    static let alice = "+33611111111"
    static let bob = "+33622222222"
    static let carol = "+33633333333"
    static let stepTwo = Duration.seconds(600)

    static func policy(repeat rounds: Int = 0) throws -> EscalationSettings {
        EscalationSettings(policies: ["default": EscalationPolicy(name: "default", steps: [
            EscalationStep(to: [try PhoneNumber(parsing: alice), try PhoneNumber(parsing: bob)]),
            EscalationStep(after: stepTwo, to: [try PhoneNumber(parsing: carol)]),
        ], repeat: rounds)])
    }

    static func nagios(_ type: String, state: String = "CRITICAL", author: String? = nil, dedupKey: String? = nil) -> AlertModel.Notification {
        Notification(single: Alert(source: .nagios, notificationType: type, host: "web01", service: "HTTP", serviceState: state,
                                   output: "HTTP \(state)", author: author, dedupKey: dedupKey))
    }

    struct Harness {
        let fake: FakeSMSPartner
        let clock: OutboxTests.TestClock
        let directory: String
        let sender: Delivery
        let escalation: EscalationSettings

        /// An outbox on a store handle of its own: another process, or this one restarted.
        func outbox() throws -> Outbox {
            let clock = clock
            return Outbox(store: try SQLiteStateStore(directory: directory, concurrentReads: true), policy: Policy(settings: PolicySettings()),
                          digests: DigestComposer(renderer: MessageRenderer()), owner: "test:\(UUID().uuidString.prefix(6))",
                          twoWay: TwoWaySettings(enabled: true), escalation: escalation, now: { clock.now })
        }

        /// Admits `notification` for `numbers` as `serve` does (queued for the worker).
        func admit(_ notification: AlertModel.Notification, to numbers: [String], outbox: Outbox) throws -> Admission {
            let renderer = MessageRenderer(reserved: TwoWaySettings.codeSuffixLength)
            let candidate = AlertCandidate(notification: notification, rendered: renderer.render(notification),
                                           recipients: try numbers.map { try PhoneNumber(parsing: $0) }, dedupKey: notification.dedupKey)
            return try outbox.admit(candidate, lease: nil)
        }

        /// Runs `outbox`'s escalator, then delivers what is queued; what SMSPartner got in
        /// this turn, as (number, text).
        func turn(_ outbox: Outbox) async throws -> (report: EscalationReport, sent: [(number: String, text: String)]) {
            let before = fake.deliveredMessages.count
            let sender = sender
            let report = try await OwnThread.run { () throws -> EscalationReport in
                let report = try Escalator(outbox: outbox).run()
                _ = try outbox.flush(sender: sender, within: .seconds(5), lease: .seconds(60))
                return report
            }
            return (report, fake.deliveredMessages.dropFirst(before).flatMap { sent in sent.numbers.map { ($0, sent.message ?? "") } })
        }

        func escalations(_ outbox: Outbox) throws -> [Escalation] {
            try outbox.store.read { (reader) throws(StateError) in try reader.activeEscalations(limit: 10) }
        }
    }

    /// The dead man's switch tests' fake SMSPartner, clock, directory and sender.
    func withEscalation(_ escalation: EscalationSettings? = nil, _ body: (Harness) async throws -> Void) async throws {
        let escalation = try escalation ?? Self.policy()
        try await DeadmanSwitchTests().withDeadman { h in
            try await body(Harness(fake: h.fake, clock: h.clock, directory: h.directory, sender: h.sender, escalation: escalation))
        }
    }

    /// The code an SMS ends with.
    static func code(_ text: String) -> String? {
        text.range(of: " ack:").map { String(text[$0.upperBound...]) }
    }

    @Test func theFirstStepPagesAtOnceAndStepTwoFiresAtItsTimeNotBefore() async throws {
        try await withEscalation { h in
            let outbox = try h.outbox()
            let admission = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            #expect(admission.escalation?.kind == .started)
            #expect(admission.escalation?.queued.map(\.e164) == [Self.bob], "alice has the alert already")
            let first = try await h.turn(outbox)
            #expect(first.report.events.isEmpty)
            #expect(Set(first.sent.map(\.number)) == [Self.alice, Self.bob])
            #expect(first.sent.allSatisfy { $0.text.hasPrefix("PROBLEM") && Self.code($0.text).map(ReplyCode.isValid) == true }, "\(first.sent)")
            let escalation = try #require(try h.escalations(outbox).first)
            #expect(escalation.step == 0 && escalation.steps == 2 && escalation.nextAt == h.clock.now + Self.stepTwo)
            #expect(escalation.paged == [Self.bob])

            h.clock.advance(Self.stepTwo - .seconds(1))
            let early = try await h.turn(outbox)
            #expect(early.report.events.isEmpty && early.sent.isEmpty, "not before its time")

            h.clock.advance(.seconds(1))
            let due = try await h.turn(outbox)
            #expect(due.report.events.map(\.kind) == [.step, .exhausted])
            #expect(due.report.events.first?.cause == .due && due.report.events.first?.step == 2)
            #expect(due.sent.map(\.number) == [Self.carol])
            let text = try #require(due.sent.first?.text)
            #expect(text.hasPrefix("PROBLEM") && Self.code(text).map(ReplyCode.isValid) == true, "\(text)")
            let pages = try outbox.store.read { (r) throws(StateError) in try r.openPages(about: escalation.subject) }
            #expect(Set(pages.map(\.recipient)) == [Self.alice, Self.bob, Self.carol], "carol's page is open to her reply")
            #expect(pages.first { $0.recipient == Self.carol }.map { " ack:" + $0.code } == text.range(of: " ack:").map { String(text[$0.lowerBound...]) })

            h.clock.advance(.seconds(3600))
            let after = try await h.turn(outbox)
            #expect(after.report.events.isEmpty && after.sent.isEmpty, "exhausted: nothing more")
            let exhausted = try #require(try h.escalations(outbox).first)
            #expect(exhausted.step == 1 && exhausted.nextAt == nil && exhausted.exhaustedAt != nil, "still open until acked or resolved")
        }
    }

    @Test func anAckStopsItAndEveryonePagedGetsOneNotice() async throws {
        try await withEscalation { h in
            let outbox = try h.outbox()
            _ = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            _ = try await h.turn(outbox)
            let page = try #require(try outbox.store.read { (r) throws(StateError) in try r.pages(of: Self.bob, resolvedSince: h.clock.now) }.first)
            #expect(try outbox.store.write { (tx) throws(StateError) in try tx.acknowledgePage(page.id, by: "bob", at: h.clock.now) })
            h.clock.advance(Self.stepTwo)
            let acked = try await h.turn(outbox)
            #expect(acked.report.events.map(\.kind) == [.acked])
            #expect(acked.sent.map(\.number).sorted() == [Self.alice, Self.bob], "one notice each, carol never paged")
            #expect(acked.sent.allSatisfy { $0.text == "ACKED web01/HTTP by bob" }, "\(acked.sent)")
            #expect(try h.escalations(outbox).isEmpty)
            h.clock.advance(Self.stepTwo)
            let later = try await h.turn(outbox)
            #expect(later.report.events.isEmpty && later.sent.isEmpty)
        }
    }

    @Test("an ACK by SMS reply stops it: the replier gets one answer, each other paged one ACKED, nobody two")
    func aReplyStopsIt() async throws {
        try await withEscalation { h in
            let outbox = try h.outbox()
            _ = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            let first = try await h.turn(outbox)
            let bobsCode = try #require(first.sent.first { $0.number == Self.bob }.flatMap { Self.code($0.text) })
            var settings = TwoWaySettings(enabled: true)
            settings.notifyOthers = true
            settings.onCall[try PhoneNumber(parsing: Self.bob)] = "bob"
            let handler = ReplyHandler(settings: settings, outbox: outbox, timeout: .seconds(2))
            let report = try await OwnThread.run { try handler.handle(ReplyCallback(from: "33622222222", text: "ack \(bobsCode)", messageID: "x")) }
            #expect(report.outcome == .acknowledged && report.notices == 1, "\(report)")
            var sent: [(number: String, text: String)] = []
            for _ in 0..<3 {
                h.clock.advance(Self.stepTwo)
                let turn = try await h.turn(outbox)
                sent += turn.sent
            }
            // Sent later than queued (the clock moved before the flush): `[14:40] ` in front.
            let answer = try #require(report.answer)
            let bobs = sent.filter { $0.number == Self.bob }.map(\.text)
            #expect(bobs.count == 1 && bobs.allSatisfy { $0.hasSuffix(answer) }, "\(sent)")
            let alices = sent.filter { $0.number == Self.alice }.map(\.text)
            #expect(alices.count == 1 && alices.allSatisfy { $0.hasSuffix("ACKED web01/HTTP by bob") }, "\(sent)")
            #expect(!sent.contains { $0.number == Self.carol }, "step 2 never fires: \(sent)")
            #expect(try h.escalations(outbox).isEmpty, "stopped")
        }
    }

    @Test func aSourceAcknowledgementStopsItToo() async throws {
        try await withEscalation { h in
            let outbox = try h.outbox()
            _ = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            _ = try await h.turn(outbox)
            h.clock.advance(.seconds(60))
            let ack = try h.admit(Self.nagios("ACKNOWLEDGEMENT", author: "jdoe"), to: [Self.alice], outbox: outbox)
            #expect(ack.escalation == nil)
            let pages = try outbox.store.read { (r) throws(StateError) in try r.openPages(about: "nagios:web01/HTTP") }
            #expect(pages.count == 2 && pages.allSatisfy { $0.ackedBy == "jdoe via nagios" && $0.ackedAt == h.clock.now })
            h.clock.advance(Self.stepTwo)
            let turn = try await h.turn(outbox)
            #expect(turn.report.events.map(\.kind) == [.acked])
            let notices = turn.sent.filter { $0.text == "ACKED web01/HTTP by jdoe via nagios" }
            #expect(notices.map(\.number).sorted() == [Self.alice, Self.bob], "\(turn.sent)")
            #expect(turn.sent.filter { $0.text.contains("ACKNOWLEDGEMENT web01/HTTP") }.map(\.number) == [Self.alice], "the source's own SMS still goes: \(turn.sent)")
            #expect(!turn.sent.contains { $0.number == Self.carol })
            // A repeat of the problem while acknowledged starts nothing.
            #expect(try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox).escalation == nil)
        }
    }

    @Test("in a storm, the first step never pages past their rate limit the alert's own recipients it held")
    func aHeldRecipientIsNotPagedByTheFirstStep() async throws {
        try await withEscalation { h in
            let outbox = try h.outbox()
            var held = 0
            for index in 0..<8 {
                let notification = Notification(single: Alert(source: .nagios, notificationType: "PROBLEM", host: "web\(index)", service: "HTTP",
                                                              serviceState: "CRITICAL", output: "HTTP CRITICAL"))
                let admission = try h.admit(notification, to: [Self.alice], outbox: outbox)
                if case .held? = admission.decisions.first?.decision {
                    held += 1
                    #expect(admission.escalation.map { !$0.queued.contains { $0.e164 == Self.alice } } ?? true,
                            "alice is held: the escalation does not text her past the limit")
                }
            }
            #expect(held == 3, "5 in 15 minutes, then held")
        }
    }

    @Test func aRecoveryStopsItAndTellsWhomOnlyTheEscalationPaged() async throws {
        try await withEscalation { h in
            let outbox = try h.outbox()
            _ = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            _ = try await h.turn(outbox)
            h.clock.advance(Self.stepTwo)
            #expect(try await h.turn(outbox).sent.map(\.number) == [Self.carol])
            h.clock.advance(.seconds(60))
            // Stopped by the admission of the recovery itself: a problem right after starts afresh.
            let recovery = try h.admit(Self.nagios("RECOVERY", state: "OK"), to: [Self.alice], outbox: outbox)
            #expect(recovery.escalation?.kind == .resolved)
            let turn = try await h.turn(outbox)
            #expect(turn.report.events.isEmpty)
            #expect(turn.sent.filter { $0.text == "RESOLVED web01/HTTP" }.map(\.number).sorted() == [Self.bob, Self.carol])
            #expect(turn.sent.filter { $0.text.hasPrefix("RECOVERY") }.map(\.number) == [Self.alice], "alice has the source's recovery")
            #expect(try h.escalations(outbox).isEmpty)
            // The next problem escalates afresh.
            h.clock.advance(.seconds(60))
            #expect(try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox).escalation?.kind == .started)
        }
    }

    @Test func aNotDeliveredReceiptAdvancesAtOnce() async throws {
        try await withEscalation { h in
            h.fake.scriptDelivery(to: Self.alice, [.notDelivered])
            h.fake.scriptDelivery(to: Self.bob, [.waiting, .notDelivered])
            let outbox = try h.outbox()
            _ = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            _ = try await h.turn(outbox)
            let poller = ReceiptPoller(store: outbox.store, settings: ReceiptSettings(), client: h.sender.client, now: { h.clock.now })
            h.clock.advance(.seconds(61))
            let first = try await OwnThread.run { try poller.poll(within: .seconds(10)) }
            #expect(first.finals.map(\.state) == [.notDelivered], "alice's only")
            let waiting = try await h.turn(outbox)
            #expect(waiting.report.events.isEmpty, "bob may still get it")
            h.clock.advance(.seconds(240))
            let second = try await OwnThread.run { try poller.poll(within: .seconds(10)) }
            #expect(second.finals.map(\.state) == [.notDelivered])
            let turn = try await h.turn(outbox)
            #expect(turn.report.events.first?.kind == .step && turn.report.events.first?.cause == .undelivered)
            #expect(turn.sent.map(\.number) == [Self.carol], "five minutes early")
        }
    }

    @Test func restartsAndConcurrentRunsFireNothingTwice() async throws {
        try await withEscalation(try Self.policy(repeat: 1)) { h in
            let outbox = try h.outbox()
            _ = try h.admit(Self.nagios("PROBLEM"), to: [Self.alice], outbox: outbox)
            _ = try await h.turn(outbox)
            h.clock.advance(Self.stepTwo)
            // Two processes at once, while a third holds the write lock: both read before either writes.
            let first = try h.outbox()
            let second = try h.outbox()
            let holder = try SQLiteStateStore(directory: h.directory)
            async let hold: Void = OwnThread.run { try holder.write { (_) throws(StateError) in Thread.sleep(forTimeInterval: 0.4) } }
            try await Task.sleep(for: .milliseconds(100))
            async let one = OwnThread.run { try Escalator(outbox: first).run().events }
            async let two = OwnThread.run { try Escalator(outbox: second).run().events }
            let events = try await one + two
            try await hold
            #expect(events.map(\.kind) == [.step], "one of them fired step 2")
            // A restart: new objects on the same store.
            let restarted = try h.outbox()
            let turn = try await h.turn(restarted)
            #expect(turn.report.events.isEmpty)
            #expect(turn.sent.map(\.number) == [Self.carol], "carol once")
            // The repeat: round 2 starts repeat_after (10m) after the last step, step 1 pages
            // alice and bob again with their codes.
            h.clock.advance(Self.stepTwo - .seconds(1))
            #expect(try await h.turn(try h.outbox()).sent.isEmpty)
            h.clock.advance(.seconds(1))
            let again = try await h.turn(try h.outbox())
            #expect(again.report.events.first?.round == 2 && again.report.events.first?.step == 1)
            #expect(Set(again.sent.map(\.number)) == [Self.alice, Self.bob])
            let pages = try restarted.store.read { (r) throws(StateError) in try r.openPages(about: "nagios:web01/HTTP") }
            for (number, text) in again.sent {
                #expect(pages.first { $0.recipient == number }?.code == Self.code(text), "each keeps the code of its page: \(text)")
            }
            #expect(try await h.turn(try h.outbox()).sent.isEmpty, "nothing twice")
        }
    }

    @Test func aCopyThatOnlyRepeatsStartsNothing() async throws {
        try await withEscalation { h in
            let plain = try h.outbox()
            let without = Outbox(store: plain.store, policy: plain.policy, digests: plain.digests, owner: plain.owner, twoWay: plain.twoWay,
                                 now: plain.now)
            #expect(try h.admit(Self.nagios("PROBLEM", dedupKey: "nagios:web01/HTTP:PROBLEM:1"), to: [Self.alice], outbox: without).escalation == nil, "no policy yet")
            let outbox = try h.outbox()
            h.clock.advance(.seconds(60))
            let copy = try h.admit(Self.nagios("PROBLEM", dedupKey: "nagios:web01/HTTP:PROBLEM:1"), to: [Self.alice], outbox: outbox)
            #expect(copy.decisions.allSatisfy { if case .duplicate = $0.decision { true } else { false } })
            #expect(copy.escalation == nil, "a duplicate is no new problem")
            h.clock.advance(.seconds(3600))
            #expect(try h.admit(Self.nagios("PROBLEM", dedupKey: "nagios:web01/HTTP:PROBLEM:1"), to: [Self.alice], outbox: outbox).escalation?.kind == .started, "a re-notification is")
        }
    }
}
