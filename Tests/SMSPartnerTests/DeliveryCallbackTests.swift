import SMSPartner
import SeededRandom
import Testing

/// Reading `urlDlr` callbacks: every field name, forms, JSON, the query, limits, and random input.
@Suite struct DeliveryCallbackTests {
    func parse(query: String? = nil, body: String = "", contentType: String? = nil) -> Result<DeliveryCallback, DeliveryCallbackError> {
        DeliveryCallback.parse(query: query, body: Array(body.utf8), contentType: contentType)
    }

    @Test(arguments: ["messageId", "message_id"], ["phoneNumber", "phone_number", "msisdn"])
    func everyIdAndNumberNameIsRead(_ idName: String, _ numberName: String) throws {
        for statusName in ["status", "statut", "dlr"] {
            let callback = try parse(query: "\(idName)=307&\(numberName)=33600000001&\(statusName)=Delivered").get()
            #expect(callback == DeliveryCallback(messageID: "307", phoneNumber: "33600000001", status: "Delivered", delivery: .delivered))
        }
    }

    @Test func aFormIsPercentDecodedWithPlusAsSpace() throws {
        let callback = try parse(
            body: "messageId=307&phoneNumber=%2B33600000001&status=Not+delivered&x=%ZZ", contentType: "application/x-www-form-urlencoded; charset=UTF-8"
        ).get()
        #expect(callback.phoneNumber == "+33600000001")
        #expect(callback.status == "Not delivered")
        #expect(callback.delivery == .notDelivered(reason: "not delivered"))
    }

    @Test func aQueryMayStartWithItsQuestionMark() throws {
        #expect(try parse(query: "?messageId=1&status=DELIVRD").get().messageID == "1")
    }

    @Test func jsonValuesMayBeNumbersOrStrings() throws {
        let callback = try parse(body: #"{"messageId":307,"msisdn":33600000001,"statut":"UNDELIV","extra":{"a":[1]}}"#, contentType: "application/json").get()
        #expect(callback.messageID == "307")
        #expect(callback.phoneNumber == "33600000001")
        #expect(callback.delivery == .notDelivered(reason: "not delivered"))
        let numericStatus = try parse(body: #"{"message_id":"9","dlr":1}"#, contentType: "application/json").get()
        #expect(numericStatus.delivery == .delivered)
    }

    @Test func aBodyIsJSONWhenItsTypeSaysSoOrItLooksLikeAnObject() throws {
        #expect(try parse(body: #" {"messageId":"1","status":"Waiting"}"#).get().delivery == .waiting)
        #expect(try parse(body: #"{"messageId":"1","status":"Waiting"}"#, contentType: "text/plain").get().delivery == .waiting)
        #expect(try parse(body: "messageId=1&status=Waiting", contentType: nil).get().delivery == .waiting)
        #expect(parse(body: "messageId=1&status=Waiting", contentType: "application/json").failure == .unreadableBody("not a JSON object"))
        #expect(parse(body: #"[{"messageId":"1","status":"Waiting"}]"#, contentType: "application/json").failure == .unreadableBody("not a JSON object"))
    }

    @Test func theBodyWinsOverTheQuery() throws {
        let callback = try parse(query: "messageId=1&status=Waiting&msisdn=33600000001", body: "status=Delivered&messageId=2", contentType: "application/x-www-form-urlencoded").get()
        #expect(callback.messageID == "2")
        #expect(callback.status == "Delivered")
        #expect(callback.phoneNumber == "33600000001", "a field only in the query is kept")
        let json = try parse(query: "messageId=1&status=Waiting", body: #"{"status":"Not delivered"}"#, contentType: "application/json").get()
        #expect(json.messageID == "1")
        #expect(json.status == "Not delivered")
    }

    @Test func missingFieldsAreNamed() throws {
        #expect(parse(query: "messageId=1").failure == .missingStatus)
        #expect(parse(query: "messageId=1&status=").failure == .missingStatus, "an empty value is missing")
        #expect(parse(query: nil).failure == .missingStatus)
        #expect(parse(query: "status=Delivered").failure == .missingMessageID)
        #expect(parse(body: #"{"status":"Delivered","messageId":null}"#, contentType: "application/json").failure == .missingMessageID)
        let byNumber = try parse(query: "status=Delivered&phoneNumber=0600000001").get()
        #expect(byNumber.messageID == nil)
        #expect(byNumber.phoneNumber == "0600000001")
        let errors: [DeliveryCallbackError] = [.bodyTooLarge(bytes: 20000), .nestedTooDeep, .unreadableBody("x"), .missingStatus, .missingMessageID]
        #expect(Set(errors.map(\.description)).count == errors.count)
    }

    @Test func theStopFlagIsRead() throws {
        let callback = try parse(body: #"{"messageId":"1","status":"Not delivered","stopSms":true}"#, contentType: "application/json").get()
        #expect(callback.delivery == .notDelivered(reason: ReportedDelivery.stopListReason))
        #expect(try parse(query: "messageId=1&status=Delivered&stopSms=0").get().delivery == .delivered)
    }

    @Test func aBodyOver16KiBIsRefusedUnread() throws {
        let head = "messageId=1&status=Delivered&pad="
        let fits = head + String(repeating: "x", count: DeliveryCallback.maxBodyBytes - head.utf8.count)
        #expect(try parse(body: fits, contentType: "application/x-www-form-urlencoded").get().delivery == .delivered)
        #expect(parse(body: fits + "x", contentType: "application/x-www-form-urlencoded").failure == .bodyTooLarge(bytes: DeliveryCallback.maxBodyBytes + 1))
    }

    @Test func jsonDeeperThan32LevelsIsRefusedUnread() throws {
        func nested(_ depth: Int) -> String {
            #"{"messageId":"1","status":"Delivered","x":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        #expect(try parse(body: nested(32), contentType: "application/json").get().delivery == .delivered)
        #expect(parse(body: nested(33), contentType: "application/json").failure == .nestedTooDeep)
        #expect(parse(body: String(repeating: "[", count: 16_000), contentType: "application/json").failure == .nestedTooDeep)
        // Brackets inside strings are text, not depth.
        let inString = #"{"messageId":"1","status":"Delivered","note":"\#(String(repeating: "[{", count: 40))\"]"}"#
        #expect(try parse(body: inString, contentType: "application/json").get().delivery == .delivered)
    }

    /// Random bytes, random JSON and random forms, under every content type: never a trap, and
    /// every success names a status and a message id or a number. Seeded: a failure replays.
    @Test(arguments: [UInt64(0xD1_0001), 0xD1_0002, 0xD1_0003])
    func randomInputNeverCrashes(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let input = RandomCallbackInput(
            names: ["messageId", "message_id", "phoneNumber", "phone_number", "msisdn", "status", "statut", "dlr", "stopSms", "x"],
            values: ["Delivered", "Not delivered", "4103", "1", "", "+33600000001", "%", "%4", "%ZZ", "+", "é", "\u{0}", "\"", "[[{", "🔥"])
        var successes = 0
        for round in 0..<1500 {
            let (query, body, contentType) = input.request(round: round, using: &random)
            switch DeliveryCallback.parse(query: query, body: body, contentType: contentType) {
            case .success(let callback):
                successes += 1
                #expect(!callback.status.isEmpty, "seed \(seed) round \(round)")
                #expect(callback.messageID != nil || callback.phoneNumber != nil, "seed \(seed) round \(round)")
                #expect(body.count <= DeliveryCallback.maxBodyBytes)
            case .failure(let error):
                #expect(!error.description.isEmpty)
            }
        }
        #expect(successes > 0, "the generator never produced a readable callback")
    }
}
