import Foundation
import SMSPartner
import SMSText
import Testing

@Suite struct SendRequestTests {
    func numbers(_ count: Int) throws -> [PhoneNumber] {
        try (0..<count).map { try PhoneNumber(parsing: "+3361\(String(format: "%07d", $0))") }
    }

    @Test func theBodyIsTransactionalAndUsesThePlatformTokens() throws {
        let request = SendRequest(
            phoneNumbers: try numbers(2), message: SMSMessage("a \"quoted\" \\ line\nnext 5€"),
            sender: "ACME", tag: "nagios", sandbox: true)
        let body = String(decoding: request.jsonBody(apiKey: APIKey("k-123")), as: UTF8.self)
        #expect(body == #"{"apiKey":"k-123","isStopSms":0,"message":"a \"quoted\" \\ line:br:next 5:euro:","phoneNumbers":"+33610000000,+33610000001","sandbox":1,"sender":"ACME","tag":"nagios"}"#)
    }

    @Test func aUCS2TextSetsIsUnicode() throws {
        let body = SendRequest(phoneNumbers: try numbers(1), message: SMSMessage("Сервер упал 🔥")).jsonBody(apiKey: nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["isUnicode"] as? Int == 1)
        #expect(object["message"] as? String == "Сервер упал 🔥")
        #expect(object["apiKey"] as? String == "<redacted>")
        #expect(object["sandbox"] == nil)
        #expect(object["sender"] == nil)
    }

    @Test func urlResponseIsSentAndItsTokenRedactedWhenShown() throws {
        let url = "https://alerts.example.com/smspartner/reply/s3cr3t-t0ken?k=other-s3cr3t"
        let request = SendRequest(phoneNumbers: try numbers(1), message: SMSMessage("x"), urlDlr: "https://x/dlr/d", urlResponse: url)
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(request.jsonBody(apiKey: APIKey("k-1")))) as? [String: Any])
        #expect(sent["urlResponse"] as? String == url)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(request.jsonBody(apiKey: nil))) as? [String: Any])
        #expect(shown["urlResponse"] as? String == "https://alerts.example.com/smspartner/reply/<redacted>?<redacted>")
        #expect(shown["urlDlr"] as? String == "https://x/dlr/<redacted>")
        let without = String(decoding: SendRequest(phoneNumbers: try numbers(1), message: SMSMessage("x")).jsonBody(apiKey: nil), as: UTF8.self)
        #expect(!without.contains("urlResponse"))
        #expect(request.batches().allSatisfy { $0.urlResponse == url })
    }

    @Test func batchesHoldAtMost500Numbers() throws {
        let request = SendRequest(phoneNumbers: try numbers(1201), message: SMSMessage("x"))
        let batches = request.batches()
        #expect(batches.map(\.phoneNumbers.count) == [500, 500, 201])
        #expect(batches.flatMap(\.phoneNumbers) == request.phoneNumbers)
        #expect(SendRequest(phoneNumbers: try numbers(500), message: SMSMessage("x")).batches().count == 1)
    }

    @Test func theKeyNeverPrints() throws {
        let key = try #require(APIKey("  top-secret-key\n"))
        #expect(key.secret == "top-secret-key")
        #expect("\(key)" == "<redacted>")
        #expect(String(reflecting: key) == "<redacted>")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("top-secret"))
        #expect(APIKey(" \n") == nil)
    }
}
