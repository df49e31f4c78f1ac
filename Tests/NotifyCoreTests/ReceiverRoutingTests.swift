import AlertModel
import NotifyCore
import SMSText
import Testing

@Suite struct ReceiverRoutingTests {
    static func notification(receiver: String?, sms: String?) -> AlertModel.Notification {
        var alert = Alert(source: .alertmanager, notificationType: "firing", host: "db1", service: "HostDown")
        if let sms { alert.labels = [Label("sms_to", sms)] }
        return AlertModel.Notification(source: .alertmanager, alerts: [alert], status: "firing", receiver: receiver)
    }

    @Test func routesThenDefaultsThenAllowedLabelNumbers() throws {
        var configuration = Configuration()
        configuration.receivers = ["db": [try PhoneNumber(parsing: "+33622222222")]]
        configuration.recipientLabel = "sms_to"
        let defaults = [try PhoneNumber(parsing: "+33611111111")]
        #expect(ReceiverRouting.route(Self.notification(receiver: "db", sms: nil), configuration: configuration, defaults: defaults).numbers.map(\.e164) == ["+33622222222"])
        #expect(ReceiverRouting.route(Self.notification(receiver: "x", sms: nil), configuration: configuration, defaults: defaults).numbers.map(\.e164) == ["+33611111111"])
        let unallowed = ReceiverRouting.route(Self.notification(receiver: "x", sms: "+33633333333"), configuration: configuration, defaults: defaults)
        #expect(unallowed.numbers.map(\.e164) == ["+33611111111"])
        #expect(unallowed.skipped == ["+33633333333 (not in allowed_recipients)"])
        configuration.allowedRecipients = try RecipientAllowlist(patterns: ["+33633*"])
        let allowed = ReceiverRouting.route(Self.notification(receiver: "x", sms: "+33633333333, nope, +33611111111"), configuration: configuration, defaults: defaults)
        #expect(allowed.numbers.map(\.e164) == ["+33611111111", "+33633333333"])
        #expect(allowed.skipped == ["nope (not a phone number)"])
    }

    /// Issue 16: a label (or `to`) naming more numbers than `max_recipients` is refused whole.
    @Test func aPayloadNamingMoreThanMaxRecipientsIsRefusedWhole() throws {
        var configuration = Configuration()
        configuration.recipientLabel = "sms_to"
        configuration.allowedRecipients = try RecipientAllowlist(patterns: ["+336*"])
        configuration.maxRecipients = 3
        let defaults = [try PhoneNumber(parsing: "+33611111111")]
        let many = (0..<4).map { "+3363333333\($0)" }.joined(separator: ",")
        let refused = ReceiverRouting.route(Self.notification(receiver: "x", sms: many), configuration: configuration, defaults: defaults)
        #expect(refused.numbers.isEmpty)
        #expect(refused.refusal == .tooMany(4, limit: 3, origin: "the payload"))
        #expect(refused.refusal?.description.contains("more than max_recipients (3)") == true)
        // Counted across the group's alerts, distinct names once: 55 alerts name A, 5 name B.
        var alerts = (0..<55).map { _ in Self.notification(receiver: "x", sms: "+33633333330").alerts[0] }
        alerts += (0..<5).map { index in Self.notification(receiver: "x", sms: "+3363333333\(index % 4 + 1)").alerts[0] }
        let group = AlertModel.Notification(source: .alertmanager, alerts: alerts, status: "firing", receiver: "x")
        #expect(ReceiverRouting.route(group, configuration: configuration, defaults: defaults).refusal == .tooMany(5, limit: 3, origin: "the payload"))
        configuration.maxRecipients = 5
        #expect(ReceiverRouting.route(group, configuration: configuration, defaults: defaults).numbers.count == 6, "A, B1-B4 and the route's own")
        configuration.maxRecipients = 3
        let three = (0..<3).map { "+3363333333\($0)" }.joined(separator: ",")
        let fine = ReceiverRouting.route(Self.notification(receiver: "x", sms: three), configuration: configuration, defaults: defaults)
        #expect(fine.refusal == nil)
        #expect(fine.numbers.count == 4, "the route's own number and the three named")
    }

    @Test func theResolverRefusesALongInputListBeforeParsingIt() throws {
        let input = (0..<60_000).map { "+336" + String($0) }
        #expect(throws: RecipientError.tooMany(60_000, limit: 50, origin: "the alert input")) {
            try RecipientResolver.resolve(flags: [], input: input, allowlist: nil)
        }
        // `--to` is the operator's own: not limited.
        let flags = (0..<60).map { "+336000000" + String(format: "%02d", $0) }
        #expect(try RecipientResolver.resolve(flags: flags, input: [], allowlist: nil, limit: 50).numbers.count == 60)
    }
}
