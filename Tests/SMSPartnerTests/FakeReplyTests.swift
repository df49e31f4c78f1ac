import SMSPartner
import SMSPartnerTesting
import SMSText
import Testing

/// The fake's replies in each shape, reaching a receiver (a second fake, which records every
/// request and answers 404 to paths it does not serve), read back with ``ReplyCallback``.
@Suite struct FakeReplyTests {
    /// The receiver's requests read back as replies, in arrival order.
    func replies(at receiver: FakeSMSPartner) throws -> [ReplyCallback] {
        try receiver.requests.map { request in
            #expect(request.path == "/smspartner/reply/t0ken")
            let query = request.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init)
            return try ReplyCallback.parse(query: query, body: request.body, contentType: request.header("content-type")).get()
        }
    }

    @Test(arguments: [FakeReplyShape.shortNumberJSON, .longNumberGET, .longNumberForm])
    func aReplyReachesTheReceiverInEachShape(_ shape: FakeReplyShape) async throws {
        let fake = try await FakeSMSPartner.start()
        let receiver = try await FakeSMSPartner.start()
        let url = "http://127.0.0.1:\(receiver.port)/smspartner/reply/t0ken"
        fake.reply(from: "+33612345678", text: "ACK 4F on it, ça redémarre", to: url, shape: shape, messageID: "77")

        #expect(await fake.waitForReplies(count: 1, timeout: .seconds(10)))
        let record = try #require(fake.replies.first)
        #expect(record.responseStatus == 404 && record.failure == nil)
        #expect(record.method == (shape == .longNumberGET ? "GET" : "POST"))
        #expect(record.shape == shape && record.part == nil && record.text == "ACK 4F on it, ça redémarre")
        #expect(await receiver.waitForRequests(count: 1, timeout: .seconds(5)))
        let reply = try #require(try replies(at: receiver).first)
        #expect(reply.text == "ACK 4F on it, ça redémarre")
        #expect(reply.messageID == "77")
        #expect(!reply.isStop)
        #expect(reply.concat == nil)
        if shape == .shortNumberJSON {
            #expect(reply.from == "+33612345678")
            #expect(reply.to == nil)
            #expect(record.contentType == "application/json")
        } else {
            #expect(reply.from == "33612345678", "msisdn: international digits without +")
            #expect(reply.to == FakeReplyShape.longNumber)
        }
        try await fake.shutdown()
        try await receiver.shutdown()
    }

    @Test func aLongReplyArrivesInPartsInOrder() async throws {
        let fake = try await FakeSMSPartner.start()
        let receiver = try await FakeSMSPartner.start()
        let url = "http://localhost:\(receiver.port)/smspartner/reply/t0ken"
        let text = "ACK 4F on it, rebooting web01 then web02 🔥"
        fake.reply(from: "0612345678", text: text, to: url, shape: .longNumberConcat(parts: 3))

        #expect(await fake.waitForReplies(count: 3, timeout: .seconds(10)))
        #expect(fake.replies.map(\.part) == [1, 2, 3])
        #expect(fake.replies.allSatisfy { $0.responseStatus == 404 && $0.method == "POST" })
        #expect(await receiver.waitForRequests(count: 3, timeout: .seconds(5)))
        let parts = try replies(at: receiver)
        #expect(parts.count == 3)
        let concats = parts.compactMap(\.concat)
        #expect(concats.map(\.part) == [1, 2, 3])
        #expect(concats.allSatisfy { $0.total == 3 && $0.ref == concats.first?.ref })
        #expect(parts.map(\.text).joined() == text, "the parts keep their spaces")
        #expect(parts.allSatisfy { $0.from == "33612345678" })
        let lengths = parts.map(\.text.count)
        #expect((lengths.max() ?? 0) - (lengths.min() ?? 0) <= 1, "nearly equal parts")
        #expect(Set(parts.compactMap(\.messageID)).count == 3, "each part has an id of its own")

        fake.reply(from: "0612345678", text: "ACK 4F", to: url, shape: .longNumberConcat(parts: 9))
        #expect(await fake.waitForReplies(count: 9, timeout: .seconds(10)))
        #expect(fake.replies.dropFirst(3).map(\.text) == ["A", "C", "K", " ", "4", "F"], "at most one part per character")
        let refs = Set(try replies(at: receiver).compactMap(\.concat?.ref))
        #expect(refs.count == 2, "each long reply has its own ref")
        try await fake.shutdown()
        try await receiver.shutdown()
    }

    @Test func aShortNumberReplyNamesTheLatestMessageSentToTheNumber() async throws {
        let fake = try await FakeSMSPartner.start()
        let receiver = try await FakeSMSPartner.start()
        let url = "http://127.0.0.1:\(receiver.port)/smspartner/reply/t0ken?k=1"
        let client = SMSPartnerClient(apiKey: try #require(APIKey(FakeSMSPartner.defaultAPIKey)), baseURL: fake.baseURL, userAgent: "t")
        let number = try PhoneNumber(parsing: "+33612345678")
        var receipts: [SendReceipt] = []
        for _ in 0..<2 {
            receipts.append(try client.send(SendRequest(phoneNumbers: [number], message: SMSMessage("x"), urlResponse: url), timeout: .seconds(5)).get())
        }
        #expect(fake.deliveredMessages.map(\.urlResponse) == [url, url])
        fake.reply(from: "06 12 34 56 78", text: "STOP", to: url, shape: .shortNumberJSON)
        fake.reply(from: "+33699999999", text: "ok", to: url, shape: .shortNumberJSON)
        #expect(await fake.waitForReplies(count: 2, timeout: .seconds(10)))
        #expect(await receiver.waitForRequests(count: 2, timeout: .seconds(5)))
        let replies = try replies(at: receiver)
        let stop = try #require(replies.first { $0.from == "+33612345678" })
        #expect(stop.messageID == receipts.last?.messageID)
        #expect(stop.isStop)
        #expect(receiver.requests.contains { String(decoding: $0.body, as: UTF8.self).contains(#""type":"stop""#) })
        #expect(receiver.requests.allSatisfy { $0.query["k"] == "1" })
        let stranger = try #require(replies.first { $0.from == "+33699999999" })
        #expect(stranger.messageID == nil, "no message was sent to that number")
        #expect(!stranger.isStop)
        try await fake.shutdown()
        try await receiver.shutdown()
    }

    @Test func aReplyThatCannotBeMadeIsRecordedAsFailed() async throws {
        let fake = try await FakeSMSPartner.start()
        for url in ["http://127.0.0.1:1/reply/x", "https://example.com/reply/x"] {
            fake.reply(from: "+33612345678", text: "ACK", to: url, shape: .longNumberForm)
        }
        #expect(await fake.waitForReplies(count: 2, timeout: .seconds(10)))
        #expect(fake.replies.allSatisfy { $0.responseStatus == nil && $0.failure != nil })
        #expect(fake.replies.allSatisfy { $0.messageID != nil }, "a long number gives each reply an id")
        fake.reset()
        #expect(fake.replies.isEmpty)
        try await fake.shutdown()
    }
}
