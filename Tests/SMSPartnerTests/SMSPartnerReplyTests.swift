import SMSPartner
import SMSPartnerTesting
import SMSText
import Testing

/// Reply shapes the documentation shows, and lenient variants, as the fake serves them raw.
@Suite struct SMSPartnerReplyTests {
    func send(_ reply: String, status: Int = 200) async throws -> Result<SendReceipt, SMSPartnerError> {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.http(status: status, body: reply, contentType: "application/json"))
        let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "t")
        let result = client.send(SendRequest(phoneNumbers: [try PhoneNumber(parsing: "0600000000")], message: SMSMessage("x")), timeout: .seconds(5))
        try await fake.shutdown()
        return result
    }

    @Test func theDocumentedSuccess() async throws {
        let receipt = try await send(#"{"success": true, "code": 200, "message_id": 307, "nb_sms": 1, "cost": 0.038, "currency": "EUR"}"#).get()
        #expect(receipt.messageID == "307")
        #expect(receipt.nbSMS == 1)
        #expect(receipt.cost == 0.038)
        #expect(receipt.currency == "EUR")
    }

    @Test func numbersAsStringsAndUnknownFields() async throws {
        let receipt = try await send(#"{"success":"true","code":"200","message_id":"A1","nb_sms":"3","cost":"0.12","extra":{"x":[1,2]}}"#).get()
        #expect(receipt.messageID == "A1")
        #expect(receipt.nbSMS == 3)
        #expect(receipt.cost == 0.12)
    }

    /// Foundation's JSON parser traps on input that reaches its 513th level where it ends: a
    /// reply shaped so is unreadable, not the end of the process.
    @Test func aReplyNestedPastFoundationsLimitIsUnreadableNotACrash() async throws {
        let result = try await send(String(repeating: "[", count: 513))
        guard case .failure = result else {
            Issue.record("a reply of 513 brackets was taken as a success: \(result)")
            return
        }
    }

    @Test func theDocumentedCode9WithErrors() async throws {
        let body = #"{"success": false, "code": 9, "errors": [{"elementId": "children[sender].data", "message": "L'emetteur ne peut pas etre plus long que 11 caracteres"}]}"#
        let result = try await send(body)
        #expect(result.failure == .rejected(code: 9, message: "", fieldErrors: [.init(elementID: "children[sender].data", message: "L'emetteur ne peut pas etre plus long que 11 caracteres")], httpStatus: 200))
        #expect(result.failure?.description == "SMSPartner refused the request: code 9 (a constraint failed): children[sender].data: L'emetteur ne peut pas etre plus long que 11 caracteres")
    }

    @Test func aCodeWithAMessageString() async throws {
        let result = try await send(#"{"success": false, "code": 10, "message": "Cle API incorrecte"}"#, status: 401)
        #expect(result.failure == .rejected(code: 10, message: "Cle API incorrecte", fieldErrors: [], httpStatus: 401))
        #expect(result.failure?.failureClass == .configuration)
    }

    @Test func oddErrorShapesStillClassify() async throws {
        let result = try await send(#"{"success": false, "code": 11, "message": {"fr": "x"}, "errors": ["not an object", {"message": 5}]}"#)
        guard case .rejected(let code, _, let fields, _)? = result.failure else { Issue.record("\(result)"); return }
        #expect(code == 11)
        #expect(fields == [.init(elementID: "", message: "5")])
        #expect(result.failure?.failureClass == .account)
    }

    @Test(arguments: ["", "null", "[]", "{", #"{"success": false}"#, "\u{0}\u{1}"])
    func unreadableBodiesNeverCrash(_ body: String) async throws {
        let result = try await send(body)
        #expect(result.failure != nil)
    }
}
