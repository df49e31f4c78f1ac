import AlertModel
import NotifyState
import SMSPartner
import SMSText
import TestSupport
import Testing

@testable import NotifyCore

/// Two-way paging at admission: a problem's SMS ends with its reply code and opens a page per
/// recipient it is sent to; a repeat keeps the code; the recovery resolves the pages.
@Suite struct PageAdmissionTests {
    static let alice = OutboxTests.alice
    static let bob = OutboxTests.bob

    static func nagios(_ type: String, host: String = "web01", service: String = "HTTP", state: String = "CRITICAL") -> Notification {
        Notification(single: Alert(source: .nagios, notificationType: type, host: host, service: service, serviceState: state,
                                   output: "HTTP \(state)"))
    }

    func admit(_ h: OutboxTests.Harness, _ notification: Notification, to numbers: [String]) async throws -> [String] {
        let outbox = Outbox(store: h.outbox.store, policy: h.outbox.policy, digests: h.outbox.digests, owner: "test:1",
                            twoWay: TwoWaySettings(enabled: true), now: { h.clock.now })
        let renderer = MessageRenderer(reserved: TwoWaySettings.codeSuffixLength)
        let candidate = AlertCandidate(notification: notification, rendered: renderer.render(notification),
                                       recipients: try numbers.map { try PhoneNumber(parsing: $0) }, dedupKey: notification.dedupKey)
        let before = h.fake.deliveredMessages.count
        try await OwnThread.run {
            let admission = try outbox.admit(candidate, lease: .seconds(60))
            _ = try outbox.deliver(admission.claims, with: h.sender, within: .seconds(5))
        }
        return h.fake.deliveredMessages.dropFirst(before).compactMap(\.message)
    }

    func pages(_ h: OutboxTests.Harness, _ recipient: String) throws -> [Page] {
        try h.outbox.store.read { (r) throws(StateError) in try r.pages(of: recipient, resolvedSince: h.clock.now - .seconds(86_400)) }
    }

    @Test func aProblemCarriesItsCodeARepeatKeepsItTheRecoveryResolves() async throws {
        try await OutboxTests().withOutbox { h in
            let sent = try await admit(h, Self.nagios("PROBLEM"), to: [Self.alice, Self.bob])
            let text = try #require(sent.first)
            #expect(sent.count == 1, "one request for both")
            let code = String(text.suffix(2))
            #expect(text.hasSuffix(" ack:" + code) && ReplyCode.isValid(code), "\(text)")
            #expect(ReplyCommand.parse(" ack:" + code) == .ack(code: code, comment: nil), "the code reads back as a reply")
            #expect(SMSMessage(text).measure().segments == 1)
            for number in [Self.alice, Self.bob] {
                let open = try pages(h, number)
                #expect(open.map(\.code) == [code] && open.first?.isOpen == true)
                #expect(open.first.flatMap { $0.target.flatMap(AckTarget.init(encoded:)) } == .nagios(host: "web01", service: "HTTP"))
            }

            h.clock.advance(.seconds(3600))
            let again = try await admit(h, Self.nagios("PROBLEM"), to: [Self.alice])
            #expect(again.first?.hasSuffix(" ack:" + code) == true, "a repeat keeps its code: \(again)")
            #expect(try pages(h, Self.alice).count == 1)

            let other = try await admit(h, Self.nagios("PROBLEM", host: "db1", service: "disk"), to: [Self.alice])
            #expect(other.first.map { !$0.hasSuffix(" ack:" + code) } == true, "another open alert, another code")

            let recovery = try await admit(h, Self.nagios("RECOVERY", state: "OK"), to: [Self.alice, Self.bob])
            #expect(recovery.first.map { !$0.contains(" ack:") } == true, "\(recovery)")
            #expect(try pages(h, Self.bob).allSatisfy { $0.resolvedAt != nil })

            h.clock.advance(.seconds(60))
            let newProblem = try await admit(h, Self.nagios("PROBLEM"), to: [Self.bob])
            #expect(newProblem.first.map { !$0.hasSuffix(" ack:" + code) } == true, "a resolved page's code is not given again within the quiet period")
        }
    }

    @Test func theAlphabetCannotBeMisread() {
        #expect(PageCodes.alphabet.count * PageCodes.alphabet.count >= 800)
        #expect(Set(PageCodes.alphabet).count == PageCodes.alphabet.count)
        #expect(!PageCodes.alphabet.contains { "0O1ILU".contains($0) })
        #expect(PageCodes.alphabet.allSatisfy { ReplyCode.isValid(String([$0, $0])) }, "every code a reply can name")
    }

    static func hostDown(_ host: String, _ status: String) -> Alert {
        Alert(source: .alertmanager, notificationType: status, labels: [Label("alertname", "HostDown"), Label("instance", host)],
              startsAt: "2026-12-06T20:00:00Z", fingerprint: "fp-" + host)
    }

    static func group(_ status: String, _ alerts: [Alert], groupLabels: [Label] = [Label("alertname", "HostDown")]) -> Notification {
        Notification(source: .alertmanager, alerts: alerts, status: status, receiver: "sms", groupKey: "{}:{alertname=\"HostDown\"}",
                     groupLabels: groupLabels, commonLabels: [Label("alertname", "HostDown")])
    }

    @Test("an Alertmanager group's pages close when its last alert resolves alone, whatever the group's size was")
    func aGroupThatShrinksStillCloses() async throws {
        try await OutboxTests().withOutbox { h in
            let two = Self.group("firing", [Self.hostDown("web01", "firing"), Self.hostDown("web02", "firing")])
            _ = try await admit(h, two, to: [Self.alice])
            #expect(try pages(h, Self.alice).first?.isOpen == true)
            h.clock.advance(.seconds(300))
            _ = try await admit(h, Self.group("firing", [Self.hostDown("web01", "firing"), Self.hostDown("web02", "resolved")]), to: [Self.alice])
            h.clock.advance(.seconds(300))
            _ = try await admit(h, Self.group("resolved", [Self.hostDown("web01", "resolved")]), to: [Self.alice])
            let closed = try pages(h, Self.alice)
            #expect(!closed.isEmpty && closed.allSatisfy { $0.resolvedAt != nil }, "\(closed)")

            // And the other way round: one alert's page, closed by the group that grew.
            h.clock.advance(.seconds(4000))
            _ = try await admit(h, Self.group("firing", [Self.hostDown("db1", "firing")]), to: [Self.bob])
            #expect(try pages(h, Self.bob).first?.subject == "alertmanager:fp-db1")
            _ = try await admit(h, Self.group("firing", [Self.hostDown("db1", "resolved"), Self.hostDown("db2", "firing")]), to: [Self.bob])
            #expect(try pages(h, Self.bob).first { $0.subject == "alertmanager:fp-db1" }?.resolvedAt != nil)
        }
    }

    @Test("a group without groupLabels is acknowledged here only: commonLabels would silence alerts the SMS never named")
    func aGroupWithoutGroupLabelsHasNoTarget() {
        let two = Self.group("firing", [Self.hostDown("web01", "firing"), Self.hostDown("web02", "firing")], groupLabels: [])
        #expect(AckTarget(two) == nil)
        let grouped = Self.group("firing", [Self.hostDown("web01", "firing"), Self.hostDown("web02", "firing")])
        #expect(AckTarget(grouped) == .alertmanager(matchers: [Label("alertname", "HostDown")], externalURL: nil))
    }

    @Test("a problem notified again after its acknowledgement's silence ended opens a new page, open to a new ACK")
    func anEndedSilenceOpensANewPage() async throws {
        try await OutboxTests().withOutbox { h in
            let alert = Self.group("firing", [Self.hostDown("web01", "firing")])
            _ = try await admit(h, alert, to: [Self.alice])
            let first = try #require(try pages(h, Self.alice).first)
            let until = h.clock.now + .seconds(7200)
            _ = try h.outbox.store.write { (tx) throws(StateError) in
                try tx.acknowledgePages(about: first.subject, by: "alice", number: Self.alice, silence: (id: "s1", until: until), at: h.clock.now)
            }
            h.clock.advance(.seconds(3600))
            _ = try await admit(h, alert, to: [Self.alice])
            #expect(try pages(h, Self.alice).filter(\.isOpen).isEmpty, "within the silence, still acknowledged")
            h.clock.advance(.seconds(3601))
            let again = try await admit(h, alert, to: [Self.alice])
            let open = try pages(h, Self.alice).filter(\.isOpen)
            #expect(open.count == 1 && open.first?.code != first.code, "\(open)")
            #expect(again.first.map { $0.hasSuffix(" ack:" + (open.first?.code ?? "?")) } == true, "\(again)")
        }
    }
}
