import SMSPartner
import SMSPartnerTesting
import SMSText
import Testing

/// The fake's `urlDlr` callbacks in each style, reaching a receiver (a second fake, which records
/// every request and answers 404 to paths it does not serve), read back with ``DeliveryCallback``.
@Suite struct FakeDeliveryCallbackTests {
    @Test(arguments: [FakeCallbackStyle.get, .postForm, .postJSON])
    func aCallbackReachesTheReceiverInEachStyle(_ style: FakeCallbackStyle) async throws {
        let fake = try await FakeSMSPartner.start()
        let receiver = try await FakeSMSPartner.start()
        fake.setCallbackStyle(style)
        fake.setCallbackDelay(.milliseconds(50))
        fake.scriptDelivery(to: "+33600000002", [.waiting, .notDelivered])
        fake.scriptDelivery(to: "+33600000003", [.stop])
        let url = "http://127.0.0.1:\(receiver.port)/smspartner/dlr/t0ken"
        let numbers = try ["+33600000001", "+33600000002", "+33600000003"].map { try PhoneNumber(parsing: $0) }
        let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "t")
        let receipt = try client.send(SendRequest(phoneNumbers: numbers, message: SMSMessage("x"), urlDlr: url), timeout: .seconds(5)).get()
        #expect(fake.deliveredMessages.first?.urlDlr == url)

        #expect(await fake.waitForCallbacks(count: 3, timeout: .seconds(10)))
        #expect(fake.callbacks.allSatisfy { $0.responseStatus == 404 && $0.failure == nil && $0.messageID == receipt.messageID })
        #expect(fake.callbacks.allSatisfy { $0.method == (style == .get ? "GET" : "POST") })
        #expect(await receiver.waitForRequests(count: 3, timeout: .seconds(5)))
        var seen: [String: ReportedDelivery] = [:]
        for request in receiver.requests {
            #expect(request.path == "/smspartner/dlr/t0ken")
            let query = request.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init)
            let callback = try DeliveryCallback.parse(query: query, body: request.body, contentType: request.header("content-type")).get()
            #expect(callback.messageID == receipt.messageID)
            seen[callback.phoneNumber ?? ""] = callback.delivery
        }
        #expect(seen == [
            "+33600000001": .delivered, "+33600000002": .notDelivered(reason: "not delivered"),
            "+33600000003": .notDelivered(reason: ReportedDelivery.stopListReason),
        ])
        #expect(fake.callbacks.count == 3, "once per number")
        try await fake.shutdown()
        try await receiver.shutdown()
    }

    @Test func callbacksWaitTheirDelayWithoutHoldingOtherRequests() async throws {
        let fake = try await FakeSMSPartner.start()
        let receiver = try await FakeSMSPartner.start()
        fake.setCallbackDelay(.seconds(1))
        let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "t")
        let number = try PhoneNumber(parsing: "+33600000001")
        let receipt = try client.send(
            SendRequest(phoneNumbers: [number], message: SMSMessage("x"), urlDlr: "http://localhost:\(receiver.port)/dlr/x"), timeout: .seconds(5)
        ).get()
        // Served while the callback waits.
        _ = try client.messageStatus(StatusQuery(phoneNumber: number, messageID: receipt.messageID), timeout: .seconds(5)).get()
        #expect(fake.callbacks.isEmpty, "called before its delay")
        #expect(await fake.waitForCallbacks(count: 1, timeout: .seconds(10)))
        #expect(fake.callbacks.first?.url.hasPrefix("http://localhost:\(receiver.port)/dlr/x?messageId=\(receipt.messageID)&") == true)
        try await fake.shutdown()
        try await receiver.shutdown()
    }

    @Test func aCallbackThatCannotBeMadeIsRecordedAsFailed() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.setCallbackDelay(.zero)
        let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "t")
        let number = try PhoneNumber(parsing: "+33600000001")
        // Port 1 refuses at once; an https URL is not supported.
        for url in ["http://127.0.0.1:1/dlr/x", "https://example.com/dlr/x"] {
            _ = try client.send(SendRequest(phoneNumbers: [number], message: SMSMessage("x"), urlDlr: url), timeout: .seconds(5)).get()
        }
        #expect(await fake.waitForCallbacks(count: 2, timeout: .seconds(10)))
        #expect(fake.callbacks.allSatisfy { $0.responseStatus == nil && $0.failure != nil })
        try await fake.shutdown()
    }
}
