import Foundation
import SMSPartner
import SMSText
import Testing

/// Status texts, the STOP flag, matching a status to its query, and `urlDlr` in a send's body.
@Suite struct ReportedDeliveryTests {
    @Test(arguments: [
        ("Delivered", ReportedDelivery.delivered), ("delivered", .delivered), (" DELIVRD ", .delivered), ("1", .delivered),
        ("Not delivered", .notDelivered(reason: "not delivered")), ("not_delivered", .notDelivered(reason: "not delivered")),
        ("undelivered", .notDelivered(reason: "not delivered")), ("UNDELIV", .notDelivered(reason: "not delivered")),
        ("2", .notDelivered(reason: "not delivered")),
        ("EXPIRED", .notDelivered(reason: "expired: the phone stayed unreachable")),
        ("REJECTD", .notDelivered(reason: "rejected by the operator")), ("16", .notDelivered(reason: "rejected by the operator")),
        ("failed", .notDelivered(reason: "failed")),
        ("Waiting", .waiting), ("WAITING", .waiting), ("pending", .waiting), ("sent", .waiting), ("accepted", .waiting),
        ("buffered", .waiting), ("ENROUTE", .waiting), ("8", .waiting), ("4", .waiting),
        ("4103", .notDelivered(reason: "operator flood protection (4103)")),
        ("Not delivered (4104)", .notDelivered(reason: "operator flood protection (4104)")),
        ("Delivered 4103", .notDelivered(reason: "operator flood protection (4103)")),
        ("41030", .unrecognized("41030")), ("UNKNOWN", .unrecognized("UNKNOWN")), ("", .unrecognized("")),
    ])
    func statusTextsAreRead(_ text: String, _ expected: ReportedDelivery) {
        #expect(ReportedDelivery(status: text) == expected, "\(text)")
    }

    @Test func onlyDeliveredAndNotDeliveredAreFinal() {
        #expect(ReportedDelivery.delivered.isFinal)
        #expect(ReportedDelivery.notDelivered(reason: "x").isFinal)
        #expect(!ReportedDelivery.waiting.isFinal)
        #expect(!ReportedDelivery.unrecognized("UNKNOWN").isFinal)
    }

    @Test func theStopFlagMeansNotDeliveredWhateverTheStatus() {
        let stop = ReportedDelivery.notDelivered(reason: ReportedDelivery.stopListReason)
        #expect(ReportedDelivery.from(status: "Delivered", stopSMS: true) == stop)
        #expect(ReportedDelivery.from(status: "Waiting", stopSMS: true) == stop)
        #expect(ReportedDelivery.from(status: "Delivered", stopSMS: false) == .delivered)
        #expect(ReportedDelivery.from(status: "Waiting", stopSMS: nil) == .waiting)
    }

    @Test func aStatusMatchesItsQueryInEveryNumberForm() throws {
        let query = StatusQuery(phoneNumber: try PhoneNumber(parsing: "+33600000001"), messageID: "307")
        for form in ["+33600000001", "0600000001", "33600000001", "0033600000001"] {
            #expect(MessageStatus(phoneNumber: form, messageID: "307", delivery: .delivered).matches(query), "\(form)")
        }
        #expect(MessageStatus(phoneNumber: "+33600000001", messageID: " 307", delivery: .delivered).matches(query))
        #expect(!MessageStatus(phoneNumber: "+33600000002", messageID: "307", delivery: .delivered).matches(query))
        #expect(!MessageStatus(phoneNumber: "+33600000001", messageID: "308", delivery: .delivered).matches(query))
        #expect(!MessageStatus(phoneNumber: nil, messageID: "307", delivery: .delivered).matches(query))
        #expect(!MessageStatus(phoneNumber: "+33600000001", messageID: nil, delivery: .delivered).matches(query))
        #expect(!MessageStatus(phoneNumber: "not a number", messageID: "307", delivery: .delivered).matches(query))
    }

    @Test func urlDlrIsSentAndItsTokenRedactedWhenShown() throws {
        let url = "https://alerts.example.com/smspartner/dlr/s3cr3t-t0ken"
        let request = SendRequest(
            phoneNumbers: [try PhoneNumber(parsing: "+33600000001")], message: SMSMessage("x"), urlDlr: url)
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(request.jsonBody(apiKey: APIKey("k-1")))) as? [String: Any])
        #expect(sent["urlDlr"] as? String == url)
        let shown = String(decoding: request.jsonBody(apiKey: nil), as: UTF8.self)
        #expect(shown.contains(#""urlDlr":"https://alerts.example.com/smspartner/dlr/<redacted>""#), "\(shown)")
        #expect(!shown.contains("s3cr3t"))
        let without = String(decoding: SendRequest(phoneNumbers: request.phoneNumbers, message: SMSMessage("x")).jsonBody(apiKey: nil), as: UTF8.self)
        #expect(!without.contains("urlDlr"))
    }

    @Test(arguments: [
        ("https://x/smspartner/dlr/tok", "https://x/smspartner/dlr/<redacted>"),
        ("https://x/smspartner/dlr/tok/", "https://x/smspartner/dlr/<redacted>"),
        ("http://127.0.0.1:8080/dlr/tok?k=secret", "http://127.0.0.1:8080/dlr/<redacted>?<redacted>"),
        ("https://x.example", "https://x.example"),
        ("https://x.example/?token=secret", "https://x.example/?<redacted>"),
    ])
    func everyShownCallbackURLHidesItsToken(_ url: String, _ shown: String) throws {
        let request = SendRequest(phoneNumbers: [try PhoneNumber(parsing: "+33600000001")], message: SMSMessage("x"), urlDlr: url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(request.jsonBody(apiKey: nil))) as? [String: Any])
        #expect(object["urlDlr"] as? String == shown)
    }
}
