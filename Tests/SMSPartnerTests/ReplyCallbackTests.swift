import SMSPartner
import SeededRandom
import Testing

/// Reading replies: both documented shapes, every field, the query, STOP, parts, limits, and
/// random input.
@Suite struct ReplyCallbackTests {
    func parse(query: String? = nil, body: String = "", contentType: String? = nil) -> Result<ReplyCallback, ReplyCallbackError> {
        ReplyCallback.parse(query: query, body: Array(body.utf8), contentType: contentType)
    }

    @Test func aShortNumberJSONReplyIsRead() throws {
        let reply = try parse(
            body: #"{"type":"response","phone_number":"+33612345678","text":"ACK 4F on it","message_id":307}"#,
            contentType: "application/json"
        ).get()
        #expect(reply == ReplyCallback(from: "+33612345678", text: "ACK 4F on it", messageID: "307"))
        #expect(reply.to == nil)
        #expect(reply.concat == nil)
    }

    @Test func aShortNumberStopIsAStopWhateverItsText() throws {
        let reply = try parse(body: #"{"type":"stop","phone_number":"+33612345678","text":"bye","message_id":"307"}"#).get()
        #expect(reply.isStop)
        #expect(reply.text == "bye")
    }

    @Test func aLongNumberGETReplyIsRead() throws {
        let query = "msisdn=33612345678&to=33700000000&messageId=0A000001&text=4f+ok+%C3%A7a+marche&type=text&keyword=4F&message-timestamp=2016-03-10+09%3A51%3A46"
        let reply = try parse(query: "?" + query).get()
        #expect(reply == ReplyCallback(from: "33612345678", to: "33700000000", text: "4f ok ça marche", messageID: "0A000001"))
    }

    @Test(arguments: ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8", nil])
    func aLongNumberFormReplyIsRead(_ contentType: String?) throws {
        let reply = try parse(body: "msisdn=33612345678&to=33700000000&messageId=9&text=HELP&keyword=HELP", contentType: contentType).get()
        #expect(reply == ReplyCallback(from: "33612345678", to: "33700000000", text: "HELP", messageID: "9"))
    }

    @Test func aLongNumberJSONReplyIsRead() throws {
        let reply = try parse(body: #"{"msisdn":33612345678,"to":"33700000000","messageId":"9","text":"OK","concat":false}"#).get()
        #expect(reply == ReplyCallback(from: "33612345678", to: "33700000000", text: "OK", messageID: "9"))
    }

    @Test(arguments: ["msisdn", "phone_number", "phoneNumber", "MSISDN"])
    func everySenderNameIsRead(_ name: String) throws {
        #expect(try parse(query: "\(name)=%2B33600000001&text=OK").get().from == "+33600000001")
    }

    @Test(arguments: ["messageId", "message_id", "MessageID"])
    func everyMessageIDNameIsRead(_ name: String) throws {
        #expect(try parse(query: "msisdn=1&text=OK&\(name)=42").get().messageID == "42")
    }

    @Test func theTextKeepsItsWhitespaceAndOtherFieldsAreTrimmed() throws {
        let reply = try parse(query: "msisdn=+33600000001+&text=+ACK+4F+&to=+337+").get()
        #expect(reply.text == " ACK 4F ")
        #expect(reply.from == "33600000001", "a + in a form is a space")
        #expect(reply.to == "337")
    }

    @Test func theBodyWinsOverTheQuery() throws {
        let form = try parse(
            query: "msisdn=33600000001&text=ACK&to=33700000000", body: "text=CLOSE+4F&msisdn=33600000002",
            contentType: "application/x-www-form-urlencoded"
        ).get()
        #expect(form.from == "33600000002")
        #expect(form.text == "CLOSE 4F")
        #expect(form.to == "33700000000", "a field only in the query is kept")
        let json = try parse(query: "phone_number=33600000001&text=ACK&to=337", body: #"{"text":"HELP","phone_number":"","to":"  "}"#).get()
        #expect(json.text == "HELP")
        #expect(json.from == "33600000001", "an empty body value does not replace the query's")
        #expect(json.to == "337", "nor does one only whitespace")
    }

    @Test func missingFieldsAreNamed() throws {
        #expect(parse(query: "text=ACK").failure == .missingSender)
        #expect(parse(query: "msisdn=&text=ACK").failure == .missingSender)
        #expect(parse(query: "msisdn=33600000001").failure == .missingText)
        #expect(parse(query: "msisdn=33600000001&text=+++").failure == .missingText, "only whitespace is no text")
        #expect(parse(body: #"{"phone_number":"1","text":null}"#).failure == .missingText)
        #expect(parse(body: #"{"phone_number":"1","text":["ACK"]}"#).failure == .missingText)
        #expect(parse(query: nil).failure == .missingSender)
        #expect(parse(body: "msisdn=1&text=x", contentType: "application/json").failure == .unreadableBody("not a JSON object"))
        let errors: [ReplyCallbackError] = [
            .bodyTooLarge(bytes: 20000), .nestedTooDeep, .unreadableBody("x"), .missingSender, .missingText, .invalidConcat("x"),
        ]
        #expect(Set(errors.map(\.description)).count == errors.count)
        #expect(errors.allSatisfy { $0.description.hasPrefix("SMS reply") })
    }

    @Test(arguments: [
        ("STOP", true), ("stop", true), ("Stop SMS", true), ("  STOP  sms ", true), ("ARRET", true), ("Arrêt", true),
        ("arrêt!", true), ("UNSUBSCRIBE", true), ("unsubscribe.", true), ("STOP 4F", true), ("#stop", true),
        ("stopped", false), ("don't stop", false), ("ACK 4F", false), ("OK", false), ("", false), ("S T O P", false), ("STOPSMS", false),
    ])
    func stopTextsAreDetected(_ text: String, _ stop: Bool) throws {
        #expect(ReplyCallback.isStopText(text) == stop)
        guard !text.isEmpty else { return }
        #expect(try parse(body: #"{"phone_number":"1","text":"\#(text)"}"#).get().isStop == stop)
    }

    @Test func theKeywordOrTheTypeMakesAStop() throws {
        #expect(try parse(query: "msisdn=1&text=please+leave+me&keyword=STOP").get().isStop)
        #expect(try parse(query: "msisdn=1&text=arret&keyword=ARRET").get().isStop)
        #expect(try parse(query: "msisdn=1&text=ok&keyword=OK&type=text").get().isStop == false)
        #expect(try parse(query: "msisdn=1&text=ok&type=STOP").get().isStop)
        #expect(try parse(query: "msisdn=1&text=stop&type=response").get().isStop, "the text alone is enough")
    }

    @Test func aPartOfALongReplyIsRead() throws {
        let reply = try parse(
            body: "msisdn=33600000001&text=ACK+4F+rebo&concat=true&concat-ref=A1&concat-total=3&concat-part=1",
            contentType: "application/x-www-form-urlencoded"
        ).get()
        #expect(reply.concat == ReplyCallback.Concat(ref: "A1", total: 3, part: 1))
        #expect(reply.text == "ACK 4F rebo")
        let json = try parse(body: #"{"msisdn":"1","text":" x","concat":"1","concat-ref":7,"concat-total":"2","concat-part":2}"#).get()
        #expect(json.concat == ReplyCallback.Concat(ref: "7", total: 2, part: 2))
        #expect(json.text == " x", "a part keeps its leading space")
        #expect(try parse(query: "msisdn=1&text=x&concat=false").get().concat == nil)
        let spaces = try parse(query: "msisdn=1&text=++&concat-ref=a&concat-total=2&concat-part=2").get()
        #expect(spaces.text == "  ", "a part may be only spaces")
        #expect(parse(query: "msisdn=1&text=++").failure == .missingText, "a whole reply may not")
    }

    @Test(arguments: [
        "concat=true", "concat=true&concat-total=2&concat-part=1", "concat-ref=a&concat-total=2", "concat-ref=a&concat-total=x&concat-part=1",
        "concat-ref=a&concat-total=0&concat-part=1", "concat-ref=a&concat-total=256&concat-part=1", "concat-ref=a&concat-total=2&concat-part=3",
        "concat-ref=a&concat-total=2&concat-part=0", "concat=false&concat-ref=a",
    ])
    func aPartWithIncompletePartFieldsIsRefused(_ fields: String) throws {
        guard case .invalidConcat(let why) = parse(query: "msisdn=1&text=x&" + fields).failure else {
            Issue.record("\(fields) was read")
            return
        }
        #expect(!why.isEmpty)
    }

    @Test func theTextIsCutTo1600Characters() throws {
        let long = String(repeating: "é", count: 1599) + "🔥🔥"
        let reply = try parse(body: #"{"phone_number":"1","text":"\#(long)"}"#).get()
        #expect(reply.text.count == ReplyCallback.maxTextCharacters)
        #expect(reply.text == String(repeating: "é", count: 1599) + "🔥")
        #expect(try parse(query: "msisdn=1&text=" + String(repeating: "a", count: 1600)).get().text.count == 1600)
    }

    @Test func aBodyOver16KiBIsRefusedUnread() throws {
        let head = "msisdn=1&text=x&pad="
        let fits = head + String(repeating: "x", count: ReplyCallback.maxBodyBytes - head.utf8.count)
        #expect(try parse(body: fits, contentType: "application/x-www-form-urlencoded").get().text == "x")
        #expect(parse(body: fits + "x", contentType: "application/x-www-form-urlencoded").failure == .bodyTooLarge(bytes: ReplyCallback.maxBodyBytes + 1))
    }

    @Test func jsonDeeperThan32LevelsIsRefusedUnread() throws {
        func nested(_ depth: Int) -> String {
            #"{"msisdn":"1","text":"x","x":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        #expect(try parse(body: nested(32), contentType: "application/json").get().text == "x")
        #expect(parse(body: nested(33), contentType: "application/json").failure == .nestedTooDeep)
        #expect(parse(body: String(repeating: "{", count: 16_000)).failure == .nestedTooDeep)
        let inString = #"{"msisdn":"1","text":"\#(String(repeating: "[{", count: 40))"}"#
        #expect(try parse(body: inString, contentType: "application/json").get().text == String(repeating: "[{", count: 40))
    }

    /// Random bytes, random JSON, random forms and near parts of long replies, under every
    /// content type: never a trap, and every success has a sender, a text within bounds and
    /// sound parts. Seeded: a failure replays.
    @Test(arguments: [UInt64(0x5E_0001), 0x5E_0002, 0x5E_0003])
    func randomInputNeverCrashes(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var input = RandomCallbackInput(
            names: [
                "msisdn", "phone_number", "phoneNumber", "text", "to", "messageId", "message_id", "type", "keyword", "concat",
                "concat-ref", "concat-total", "concat-part", "x",
            ],
            values: ["ACK 4F", "STOP", "stop", "true", "1", "2", "0", "", "+33600000001", "%", "%4", "%ZZ", "+", "é", "\u{0}", "\"", "[[{", "🔥", " "])
        // Nearly a part of a long reply: the part fields, each perhaps out of range.
        input.extra = { [input] random in
            let number = { (random: inout SplitMix64) in ["0", "1", "2", "3", "255", "256", "x", ""][Int.random(in: 0...7, using: &random)] }
            return "msisdn=1&text=" + input.value(using: &random) + "&concat=true&concat-ref=" + input.value(using: &random)
                + "&concat-total=" + number(&random) + "&concat-part=" + number(&random)
        }
        var successes = 0
        var parts = 0
        for round in 0..<2000 {
            let (query, body, contentType) = input.request(round: round, using: &random)
            switch ReplyCallback.parse(query: query, body: body, contentType: contentType) {
            case .success(let reply):
                successes += 1
                #expect(!reply.from.isEmpty, "seed \(seed) round \(round)")
                #expect(!reply.text.isEmpty, "seed \(seed) round \(round)")
                #expect(reply.text.count <= ReplyCallback.maxTextCharacters)
                if let concat = reply.concat {
                    parts += 1
                    #expect((1...concat.total).contains(concat.part) && concat.total <= ReplyCallback.Concat.maxParts && !concat.ref.isEmpty)
                }
                #expect(body.count <= ReplyCallback.maxBodyBytes)
            case .failure(let error):
                #expect(!error.description.isEmpty)
            }
        }
        #expect(successes > 0, "the generator never produced a readable reply")
        #expect(parts > 0, "the generator never produced a readable part")
    }
}
