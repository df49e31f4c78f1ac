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
}
