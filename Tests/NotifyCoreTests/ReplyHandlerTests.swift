import AlertModel
import NotifyState
import SMSPartner
import SMSText
import TestSupport
import SeededRandom
import Testing

@testable import NotifyCore

/// Replies acted on (two-way paging), on a real store and the fake SMSPartner: who may act,
/// what a code names, what is answered, and that nothing is done twice.
@Suite struct ReplyHandlerTests {
    static let alice = OutboxTests.alice
    static let bob = OutboxTests.bob
    static let carol = "+33633333333"
    static let stranger = "+33699999999"

    /// The harness's store and fake, with two-way paging on.
    struct Paging {
        let h: OutboxTests.Harness
        let outbox: Outbox
        let settings: TwoWaySettings

        /// Admits `notification` to `numbers` and delivers it; the code its SMS ends with.
        func page(_ notification: Notification, to numbers: [String]) async throws -> String? {
            let text = try await PageAdmissionTests().admit(h, notification, to: numbers).first
            return text.flatMap { $0.contains(" ack:") ? String($0.suffix(2)) : nil }
        }

        /// Acts on a reply of `text` from `from`, then delivers what it queued; the report and
        /// the SMS sent, by number.
        func reply(_ text: String, from: String, messageID: String? = nil) async throws -> (ReplyReport, [(to: String, text: String)]) {
            let handler = ReplyHandler(settings: settings, outbox: outbox, timeout: .seconds(2))
            let before = h.fake.deliveredMessages.count
            let report = try await OwnThread.run {
                let report = try handler.handle(ReplyCallback(from: from, text: text, messageID: messageID))
                _ = try outbox.flush(sender: h.sender, within: .seconds(5), lease: .seconds(60))
                return report
            }
            let sent = h.fake.deliveredMessages.dropFirst(before).flatMap { message in
                message.phoneNumbers.map { (to: $0, text: message.message ?? "") }
            }
            return (report, sent)
        }

        func pages(_ recipient: String) throws -> [Page] {
            try outbox.store.read { (r) throws(StateError) in try r.pages(of: recipient, resolvedSince: Timestamp(milliseconds: 0)) }
        }
    }

    func withPaging(_ settings: TwoWaySettings = TwoWaySettings(enabled: true, onCall: [:]), _ body: (Paging) async throws -> Void) async throws {
        try await OutboxTests().withOutbox { h in
            let outbox = Outbox(store: h.outbox.store, policy: h.outbox.policy, digests: h.outbox.digests, owner: "test:1",
                                twoWay: settings, now: { h.clock.now })
            try await body(Paging(h: h, outbox: outbox, settings: settings))
        }
    }

    static func generic(_ summary: String, key: String) -> Notification {
        Notification(single: Alert(source: .generic, summary: summary, dedupKey: key))
    }

    static func nagios(_ type: String, state: String = "CRITICAL") -> Notification {
        PageAdmissionTests.nagios(type, state: state)
    }

    static func settings(notifyOthers: Bool = false, onCall: [String: String] = [:]) throws -> TwoWaySettings {
        var settings = TwoWaySettings(enabled: true)
        for (number, name) in onCall { settings.onCall[try PhoneNumber(parsing: number)] = name }
        settings.notifyOthers = notifyOthers
        return settings
    }

    @Test("ACK <code> from a recipient acknowledges every page of the alert, answers once, and tells the others with notify_others")
    func ackByCode() async throws {
        try await withPaging(try Self.settings(notifyOthers: true, onCall: [Self.bob: "bob"])) { p in
            let code = try #require(try await p.page(Self.generic("disk full on db1", key: "db1-disk"), to: [Self.alice, Self.bob]))
            let (report, sent) = try await p.reply("ack \(code) on it", from: "33622222222", messageID: "m1")
            #expect(report.outcome == .acknowledged, "\(report)")
            #expect(report.notices == 1)
            let answer = try #require(sent.first { $0.to == Self.bob }, "\(sent)")
            #expect(answer.text.hasPrefix("ACK OK ") && answer.text.contains("acknowledged here"), "\(answer.text)")
            #expect(sent.contains { $0.to == Self.alice && $0.text.hasPrefix("ACKED ") && $0.text.hasSuffix(" by bob") }, "\(sent)")
            #expect(sent.count == 2, "one answer, one notice: \(sent)")
            for number in [Self.alice, Self.bob] {
                let page = try #require(try p.pages(number).first)
                #expect(page.ackedBy == "bob" && page.ackedNumber == Self.bob && page.resolvedAt == nil, "\(page)")
            }
            // SMSPartner repeats its callback: nothing is done twice.
            let (again, resent) = try await p.reply("ack \(code) on it", from: "33622222222", messageID: "m1")
            #expect(again.outcome == .repeated && resent.isEmpty, "\(again) \(resent)")
            // A second ACK (a new reply) is told who acked it.
            let (second, told) = try await p.reply("ACK \(code)", from: Self.alice, messageID: "m2")
            #expect(second.outcome == .settled && told.map(\.text) == ["\(second.alert ?? "") was acked already by bob"], "\(second) \(told)")
        }
    }

    @Test("a bare ACK acts on the number's latest open alert; an unknown code is answered; a resolved one says so")
    func bareAckAndCodes() async throws {
        try await withPaging { p in
            let first = try #require(try await p.page(Self.generic("first", key: "a"), to: [Self.alice]))
            p.h.clock.advance(.seconds(5))
            let second = try #require(try await p.page(Self.generic("second", key: "b"), to: [Self.alice]))
            #expect(first != second)
            let (bare, _) = try await p.reply("OK", from: Self.alice)
            #expect(bare.outcome == .acknowledged)
            #expect(try p.pages(Self.alice).first { $0.code == second }?.ackedAt != nil, "the latest")
            #expect(try p.pages(Self.alice).first { $0.code == first }?.ackedAt == nil, "not the older one")
            let (again, _) = try await p.reply("ack", from: Self.alice)
            #expect(again.outcome == .acknowledged && again.alert == "first", "then the one still open: \(again)")

            let unused = PageCodes.alphabet.lazy.map { String([$0, $0]) }.first { $0 != first && $0 != second } ?? "ZZ"
            let (unknown, answer) = try await p.reply("ACK \(unused)", from: Self.alice)
            #expect(unknown.outcome == .unknownCode && answer.map(\.text) == [ReplyText.noSuchCode(unused)], "\(answer)")
        }
    }

    @Test("a number never sent an alert is ignored and never answered, whatever it says; HELP is answered once per dedup window; STOP never")
    func whoIsAnswered() async throws {
        try await withPaging { p in
            let code = try #require(try await p.page(Self.generic("disk full", key: "k"), to: [Self.alice]))
            for text in ["ACK \(code)", "ACK", "HELP", "STOP", "hello"] {
                let (report, sent) = try await p.reply(text, from: Self.stranger)
                #expect(report.outcome == .ignored && sent.isEmpty, "\(text): \(report) \(sent)")
            }
            let (notANumber, _) = try await p.reply("ACK \(code)", from: "hello\nforged")
            #expect(notANumber.outcome == .ignored)
            #expect(try p.pages(Self.alice).first?.isOpen == true, "nothing changed")

            let (help, answer) = try await p.reply("HELP", from: Self.alice)
            #expect(help.outcome == .help && answer.map(\.text) == [ReplyText.help], "\(answer)")
            let (_, none) = try await p.reply("what?", from: Self.alice)
            #expect(none.isEmpty, "an auto-responder cannot start a loop: \(none)")
            let (stop, silent) = try await p.reply("STOP", from: Self.alice)
            #expect(stop.outcome == .stop && silent.isEmpty)
            #expect(try p.pages(Self.alice).first?.isOpen == true)
        }
    }

    @Test("an on_call number may ACK another number's code; CLOSE on an alert with no source API is refused")
    func onCallAndClose() async throws {
        try await withPaging(try Self.settings(onCall: [Self.carol: "carol"])) { p in
            let code = try #require(try await p.page(Self.generic("disk full", key: "k"), to: [Self.alice]))
            let (close, answer) = try await p.reply("CLOSE \(code)", from: Self.alice)
            #expect(close.outcome == .failed && answer.first?.text.hasPrefix("CLOSE ") == true, "\(close) \(answer)")
            #expect(try p.pages(Self.alice).first?.isOpen == true)
            let (ack, confirmation) = try await p.reply("\(code) ack", from: Self.carol)
            #expect(ack.outcome == .acknowledged && confirmation.map(\.to) == [Self.carol], "\(ack) \(confirmation)")
            #expect(try p.pages(Self.alice).first?.ackedBy == "carol")
        }
    }

    @Test("an on_call number's late ACK of its own resolved alert never reaches another number's alert with that code")
    func aLateAckStaysWithItsOwnAlert() async throws {
        try await withPaging(try Self.settings(onCall: [Self.alice: "alice"])) { p in
            let code = try #require(try await p.page(Self.generic("disk full", key: "a"), to: [Self.alice]))
            let subject = try #require(try p.pages(Self.alice).first?.subject)
            _ = try p.outbox.store.write { (tx) throws(StateError) in try tx.resolvePages(about: subject, at: p.h.clock.now) }
            // Bob's page gets the same code (codes are per number).
            _ = try p.outbox.store.write { (tx) throws(StateError) in
                try tx.open(NewPage(recipient: Self.bob, code: code, subject: "b", source: "generic", target: nil, text: "b"), at: p.h.clock.now)
            }
            let (late, answer) = try await p.reply("ACK \(code)", from: Self.alice)
            #expect(late.outcome == .settled && answer.first?.text.hasSuffix("is resolved already") == true, "\(late) \(answer)")
            #expect(try p.pages(Self.bob).first?.ackedAt == nil, "bob's alert untouched")
        }
    }

    @Test("an answer about a long name is cut with '...' and stays one GSM-7 SMS; the escalation's notices cut alike")
    func longNamesStayGSM7() {
        let name = String(repeating: "web01/HTTP\t", count: 20)
        for text in [ReplyText.acknowledged(name, detail: String(repeating: "d", count: 200)), ReplyText.alreadyAcked(name, by: name),
                     EscalationText.acked(label: name, by: name)] {
            #expect(GSM7.canEncode(text) && SMSMessage(text).measure().segments == 1 && text.contains("..."), "\(text)")
            #expect(!text.contains("\t"), "\(text)")
        }
    }

    @Test("a source that cannot be reached leaves the alert open and says so")
    func sourceDown() async throws {
        var settings = TwoWaySettings(enabled: true)
        settings.nagios = TwoWaySettings.Nagios(commandFile: "/nonexistent/nagios.cmd")
        try await withPaging(settings) { p in
            let code = try #require(try await p.page(Self.nagios("PROBLEM"), to: [Self.alice]))
            let (report, answer) = try await p.reply("ACK \(code)", from: Self.alice)
            #expect(report.outcome == .failed, "\(report)")
            #expect(answer.first?.text.hasPrefix("ACK FAILED web01/HTTP: ") == true, "\(answer)")
            #expect(try p.pages(Self.alice).first?.isOpen == true, "still open: it escalates, and a new reply may try again")
        }
    }

    @Test("the source's ACKNOWLEDGEMENT is not texted back to whoever acked by reply, but is to the others")
    func sourceAcknowledgementSkipsTheReplier() async throws {
        try await withPaging { p in
            let code = try #require(try await p.page(Self.nagios("PROBLEM"), to: [Self.alice, Self.bob]))
            let (report, _) = try await p.reply("ACK \(code)", from: Self.alice)
            #expect(report.outcome == .acknowledged, "no two_way.nagios: acknowledged here")
            let before = p.h.fake.deliveredMessages.count
            _ = try await p.page(Self.nagios("ACKNOWLEDGEMENT"), to: [Self.alice, Self.bob])
            let numbers = p.h.fake.deliveredMessages.dropFirst(before).flatMap(\.phoneNumbers)
            #expect(numbers == [Self.bob], "\(numbers)")
        }
    }

    @Test("random replies never trap; a stranger's never act nor get an answer; an alert is acknowledged only by a reply that says so")
    func randomReplies() async throws {
        try await withPaging { p in
            let code = try #require(try await p.page(Self.generic("disk full", key: "k"), to: [Self.alice]))
            var random = SplitMix64(seed: 0x5EED_2101)
            let words = ["ACK", "ack", "OK", "ok", "CLOSE", "HELP", "STOP", "arret", code, code.lowercased(), "4O", ":", "#", " ", "\n", "on it",
                         "é", "😀", "ACK\u{0}", "\u{1B}[2J"] + RandomText.fragments
            for round in 0..<150 {
                let text = (0..<Int.random(in: 0...5, using: &random)).map { _ in words.randomElement(using: &random) ?? "" }.joined(separator: " ")
                let from = round % 3 == 0 ? Self.alice : Self.stranger
                let (report, sent) = try await p.reply(text, from: from, messageID: "r\(round)")
                if from == Self.stranger {
                    #expect(report.outcome == .ignored && sent.isEmpty, "\(text.debugDescription): \(report)")
                } else if report.outcome == .acknowledged {
                    if case .ack = ReplyCommand.parse(text) {} else { Issue.record("acknowledged by \(text.debugDescription)") }
                }
                #expect(sent.allSatisfy { $0.to == Self.alice }, "\(sent)")
            }
        }
    }
}
