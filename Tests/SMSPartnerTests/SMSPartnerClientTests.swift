import SMSPartner
import SMSPartnerTesting
import SMSText
import Testing

/// The client against the fake SMSPartner over real sockets and the real libcurl transport.
@Suite struct SMSPartnerClientTests {
    static let key = APIKey(FakeSMSPartner.defaultAPIKey)!

    func client(_ fake: FakeSMSPartner, key: APIKey = Self.key) -> SMSPartnerClient {
        SMSPartnerClient(apiKey: key, baseURL: fake.baseURL + "/", userAgent: "smspartner-notify/test")
    }

    func request(_ numbers: [String] = ["+33600000000"], text: String = "PROBLEM web01/HTTP CRITICAL") throws -> SendRequest {
        SendRequest(phoneNumbers: try numbers.map { try PhoneNumber(parsing: $0) }, message: SMSMessage(text))
    }

    @Test func aSendIsAcceptedAndItsReceiptDecoded() async throws {
        let fake = try await FakeSMSPartner.start()
        let result = client(fake).send(try request(["+33600000000", "+33600000001"]), timeout: .seconds(5))
        let receipt = try result.get()
        #expect(!receipt.messageID.isEmpty)
        #expect(receipt.nbSMS == 2)
        #expect(receipt.cost != nil)
        #expect(receipt.currency == "EUR")
        let recorded = try #require(fake.requests.first)
        #expect(recorded.method == "POST")
        #expect(recorded.path == "/v1/send")
        #expect(recorded.header("user-agent") == "smspartner-notify/test")
        #expect(recorded.header("content-type") == "application/json")
        #expect(recorded.header("expect") == nil)
        let body = try #require(recorded.sendBody)
        #expect(body.isStopSms == 0)
        #expect(body.phoneNumbers == "+33600000000,+33600000001")
        #expect(body.apiKey == FakeSMSPartner.defaultAPIKey)
        try await fake.shutdown()
    }

    @Test(arguments: [
        (1, FailureClass.configuration), (10, .configuration), (11, .account), (2, .rejected), (9, .rejected), (42, .rejected),
    ])
    func errorCodesAreClassified(_ code: Int, _ expected: FailureClass) async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.error(code: code))
        let result = client(fake).send(try request(), timeout: .seconds(5))
        guard case .failure(let error) = result, case .rejected(let got, let message, let fields, let status) = error else {
            Issue.record("expected a rejection, got \(result)")
            return
        }
        #expect(got == code)
        #expect(status == 400)
        #expect(error.failureClass == expected)
        #expect(!error.failureClass.isRetryable)
        #expect(!message.isEmpty || !fields.isEmpty)
        #expect(error.description.contains("code \(code)"))
        try await fake.shutdown()
    }

    @Test func code9NamesTheFieldAndKeepsTheFrenchMessage() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.error(code: 9))
        let error = try #require(client(fake).send(try request(), timeout: .seconds(5)).failure)
        guard case .rejected(_, _, let fields, _) = error else { Issue.record("\(error)"); return }
        #expect(fields.first?.elementID == "children[phoneNumbers].data")
        #expect(error.description.contains("children[phoneNumbers].data: "))
        try await fake.shutdown()
    }

    @Test func theFakeItselfRejectsAWrongKeyWithCode10() async throws {
        let fake = try await FakeSMSPartner.start()
        let error = try #require(client(fake, key: APIKey("wrong-key")!).send(try request(), timeout: .seconds(5)).failure)
        #expect(error.failureClass == .configuration)
        #expect(!error.description.contains("wrong-key"))
        try await fake.shutdown()
    }

    @Test(arguments: [500, 503, 408, 429])
    func serverErrorsAreTransient(_ status: Int) async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.http(status: status, body: "<html><body>Bad Gateway</body></html>"))
        let error = try #require(client(fake).send(try request(), timeout: .seconds(5)).failure)
        #expect(error == .httpStatus(status, excerpt: "<html><body>Bad Gateway</body></html>"))
        #expect(error.failureClass == .transient)
        try await fake.shutdown()
    }

    /// A gateway that got no valid answer from SMSPartner behind it: SMSPartner may have taken it.
    @Test(arguments: [502, 504])
    func gatewayErrorsLeaveTheOutcomeUnknown(_ status: Int) async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.http(status: status, body: "<html><body>Bad Gateway</body></html>"))
        let error = try #require(client(fake).send(try request(), timeout: .seconds(5)).failure)
        #expect(error == .httpStatus(status, excerpt: "<html><body>Bad Gateway</body></html>"))
        #expect(error.failureClass == .unknown)
        #expect(!error.failureClass.isRetryable)
        try await fake.shutdown()
    }

    @Test func aServerErrorWithAnErrorBodyIsStillTransient() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.error(code: 9, httpStatus: 503))
        let error = try #require(client(fake).send(try request(), timeout: .seconds(5)).failure)
        #expect(error.failureClass == .transient)
        try await fake.shutdown()
    }

    @Test func a4xxWithoutJSONIsRejectedAndAnUnreadable2xxIsUnknown() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.http(status: 400, body: "bad request"), .http(status: 200, body: "<html>maintenance</html>"))
        let c = client(fake)
        let first = try #require(c.send(try request(), timeout: .seconds(5)).failure)
        #expect(first == .httpStatus(400, excerpt: "bad request"))
        #expect(first.failureClass == .rejected)
        let second = try #require(c.send(try request(), timeout: .seconds(5)).failure)
        #expect(second == .unreadableReply(httpStatus: 200, excerpt: "<html>maintenance</html>"))
        #expect(second.failureClass == .unknown)
        try await fake.shutdown()
    }

    @Test(arguments: [401, 403, 404, 405])
    func aWrongKeyOrURLIsAConfigurationError(_ status: Int) async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.http(status: status, body: "<html>no</html>"))
        let error = try #require(client(fake).send(try request(), timeout: .seconds(5)).failure)
        #expect(error.failureClass == .configuration)
        try await fake.shutdown()
    }

    @Test func aLongReplyIsQuotedShortAndOnOneLine() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.http(status: 502, body: String(repeating: "line\n", count: 200)))
        let error = try #require(client(fake).send(try request(), timeout: .seconds(5)).failure)
        guard case .httpStatus(_, let excerpt) = error else { Issue.record("\(error)"); return }
        #expect(!excerpt.contains("\n"))
        #expect(excerpt.count == 203)
        #expect(excerpt.hasSuffix("..."))
        try await fake.shutdown()
    }

    /// The whole request went out, then the connection closed or was reset: SMSPartner may
    /// have taken it.
    @Test func aConnectionLostAfterTheRequestLeavesTheOutcomeUnknown() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.dropConnection, .closeAfterHeaders, .acceptThenReset)
        let c = client(fake)
        for _ in 0..<3 {
            let error = try #require(c.send(try request(), timeout: .seconds(5)).failure)
            guard case .transport(.noAnswer(let text)) = error else { Issue.record("\(error)"); continue }
            #expect(!text.isEmpty)
            #expect(error.failureClass == .unknown)
            #expect(!error.failureClass.isRetryable)
        }
        #expect(fake.deliveredMessages.count == 1, "the reset one was taken")
        try await fake.shutdown()
    }

    @Test func aSlowReplyTimesOutWithinTheLimit() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.delay(.seconds(5), then: .accept))
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(client(fake).send(try request(), timeout: .milliseconds(400)).failure)
        // Not a performance bound: the reply takes 5 s, so anything under 4 s (generous for a
        // loaded machine) means the 400 ms limit cut the wait short.
        #expect(clock.now - start < .seconds(4))
        // The request was sent: a timeout now is an unknown outcome, not a failure.
        guard case .transport(.noAnswer) = error else { Issue.record("\(error)"); return }
        #expect(error.failureClass == .unknown)
        try await fake.shutdown()
    }

    @Test func aSlowAcceptIsTakenEvenWhenTheClientGaveUp() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.slowAccept(.milliseconds(800)))
        let c = client(fake)
        var sent = try request()
        sent.tag = "testslow0001"
        let error = try #require(c.send(sent, timeout: .milliseconds(300)).failure)
        #expect(error.failureClass == .unknown)
        #expect(try c.status(ofTag: "testslow0001", timeout: .seconds(5)).get().entries.isEmpty, "not taken yet")
        try await Task.sleep(for: .milliseconds(1200))
        let status = try c.status(ofTag: "testslow0001", timeout: .seconds(5)).get()
        #expect(status.entries.map(\.phoneNumber) == ["+33600000000"])
        #expect(status.taken(among: sent.phoneNumbers) == sent.phoneNumbers)
        #expect(fake.deliveredMessages.count == 1)
        try await fake.shutdown()
    }

    @Test func aRefusedConnectionIsTransient() async throws {
        // Port 1 (tcpmux) is privileged and unused: refused at once. (A port freed by a closed
        // fake could be taken by another test's server meanwhile.)
        let c = SMSPartnerClient(apiKey: Self.key, baseURL: "http://127.0.0.1:1/v1", userAgent: "t")
        let error = try #require(c.send(try request(), timeout: .seconds(2)).failure)
        guard case .transport(.couldNotConnect(let text)) = error else { Issue.record("\(error)"); return }
        #expect(!text.isEmpty)
        #expect(error.failureClass == .transient)
    }

    @Test func aTagLookupFindsEachNumberTakenAndNothingForAnUnknownTag() async throws {
        let fake = try await FakeSMSPartner.start()
        let c = client(fake)
        var sent = try request(["+33600000001", "+33600000002"])
        sent.tag = "alertsabc123"
        _ = try c.send(sent, timeout: .seconds(5)).get()
        let found = try c.status(ofTag: "alertsabc123", timeout: .seconds(5)).get()
        #expect(found.entries.count == 2)
        #expect(found.total == 2)
        let third = try PhoneNumber(parsing: "+33600000003")
        #expect(found.taken(among: sent.phoneNumbers + [third]) == sent.phoneNumbers)
        let missing = try c.status(ofTag: "alertsother1", timeout: .seconds(5)).get()
        #expect(missing.entries.isEmpty, "code 4 is an empty answer, not a failure")
        let lookup = try #require(fake.requests.last)
        #expect(lookup.method == "GET")
        #expect(lookup.path == "/v1/bulk-status-by-tag")
        #expect(lookup.query["tag"] == "alertsother1")
        #expect(lookup.query["apiKey"] == FakeSMSPartner.defaultAPIKey)
        try await fake.shutdown()
    }

    @Test func aFailedTagLookupIsAnError() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.failTagLookups(1)
        let error = try #require(client(fake).status(ofTag: "x1", timeout: .seconds(5)).failure)
        #expect(error.failureClass == .transient)
        try await fake.shutdown()
    }

    /// What a lookup's reply says, number by number, and when it cannot say.
    @Test func aTagStatusIsReadNumberByNumberOrNotAtAll() throws {
        let numbers = [try PhoneNumber(parsing: "+33600000001"), try PhoneNumber(parsing: "+33600000002")]
        // Every written form of a number.
        for form in ["+33600000002", "0600000002", "0033600000002", "33600000002", "+33 6 00 00 00 02"] {
            #expect(TagStatus(entries: [.init(phoneNumber: form, status: nil)]).taken(among: numbers) == [numbers[1]], "\(form)")
        }
        #expect(TagStatus(entries: []).taken(among: numbers) == [])
        // An entry SMSPartner marks unknown is not a taken number.
        #expect(TagStatus(entries: [.init(phoneNumber: "+33600000001", status: "Number not found", success: false)]).taken(among: numbers) == [])
        // No readable number: for one number asked about, the request was taken; for several, it cannot say.
        #expect(TagStatus(entries: [.init(phoneNumber: nil, status: "Delivered")]).taken(among: [numbers[0]]) == [numbers[0]])
        #expect(TagStatus(entries: [.init(phoneNumber: nil, status: "Delivered")]).taken(among: numbers) == nil)
        // A number missing while more entries exist than were listed (another page): cannot say.
        #expect(TagStatus(entries: [.init(phoneNumber: "+33600000001", status: nil)], total: 2).taken(among: numbers) == nil)
        #expect(TagStatus(entries: [.init(phoneNumber: "+33600000001", status: nil)], total: 1).taken(among: numbers) == [numbers[0]])
    }

    /// A success without the list cannot mean "not taken"; code 4 in any status is "none".
    @Test func aLookupReplyIsReadStrictly() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueueTagLookups(
            .http(status: 200, body: #"{"success":true,"code":200}"#, contentType: "application/json"),
            .http(status: 404, body: #"{"success":false,"code":4,"message":"Message not found"}"#, contentType: "application/json"),
            .http(status: 200, body: #"{"success":false,"code":4,"message":"Message not found"}"#, contentType: "application/json"),
            .http(status: 200, body: #"{"success":true,"total":1,"StatutResponse_List":[{"phoneNumber":"33600000000","status":"Delivered"}]}"#,
                  contentType: "application/json"),
            .http(status: 404, body: #"{"success":false,"code":404,"message":"Introuvable"}"#, contentType: "application/json"))
        let c = client(fake)
        let missing = try #require(c.status(ofTag: "t1", timeout: .seconds(5)).failure)
        #expect(missing.failureClass == .unknown, "an unreadable 2xx")
        #expect(try c.status(ofTag: "t1", timeout: .seconds(5)).get().entries.isEmpty)
        #expect(try c.status(ofTag: "t1", timeout: .seconds(5)).get().entries.isEmpty)
        let msisdn = try c.status(ofTag: "t1", timeout: .seconds(5)).get()
        #expect(msisdn.taken(among: try request().phoneNumbers) == (try request().phoneNumbers))
        let notThere = try #require(c.status(ofTag: "t1", timeout: .seconds(5)).failure)
        #expect(notThere.httpStatusCode == 404, "an API without the lookup: the caller decides")
        try await fake.shutdown()
    }

    /// A reply that echoes the request: the key is removed before the excerpt is cut, and so is
    /// any long run of it (issue 16: 40 of a 41-character key used to survive).
    @Test(arguments: [0, 150, 170, 190, 195])
    func aKeyEchoedInAReplyNeverSurvivesTheExcerpt(_ padding: Int) async throws {
        let key = "k3y-0123456789abcdefghijklmnopqrstuvwxyz"
        let fake = try await FakeSMSPartner.start(apiKey: key)
        let echo = String(repeating: "x", count: padding) + "apiKey=" + key + " and " + String(key.dropFirst(5)) + " and " + String(key.prefix(20))
        fake.enqueue(.http(status: 500, body: echo), .http(status: 400, body: #"{"success":false,"code":42,"message":"\#(echo)"}"#, contentType: "application/json"))
        let c = client(fake, key: APIKey(key)!)
        for _ in 0..<2 {
            let error = try #require(c.send(try request(), timeout: .seconds(5)).failure)
            let text = error.description
            for start in 0...(key.count - 8) {
                let run = String(Array(key)[start..<(start + 8)])
                #expect(!text.contains(run), "\(run) of the key in \(text)")
            }
        }
        try await fake.shutdown()
    }

    @Test func anUnusableURLIsAConfigurationError() throws {
        let c = SMSPartnerClient(apiKey: Self.key, baseURL: "http://exa mple.invalid:99999/v1", userAgent: "t")
        let error = try #require(c.send(try request(), timeout: .seconds(2)).failure)
        #expect(error.failureClass == .configuration)
    }

    @Test func meReadsTheCredits() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.setCredits(1234)
        let account = try client(fake).me(timeout: .seconds(5)).get()
        #expect(account.creditSMS == 1234)
        #expect(account.balance != nil)
        let recorded = try #require(fake.requests.first)
        #expect(recorded.method == "GET")
        #expect(recorded.path == "/v1/me")
        #expect(recorded.query["apiKey"] == FakeSMSPartner.defaultAPIKey)
        try await fake.shutdown()
    }

    @Test func meWithAWrongKeyIsAConfigurationError() async throws {
        let fake = try await FakeSMSPartner.start()
        let error = try #require(client(fake, key: APIKey("nope&x=1")!).me(timeout: .seconds(5)).failure)
        #expect(error.failureClass == .configuration)
        #expect(fake.requests.first?.query["apiKey"] == "nope&x=1")
        try await fake.shutdown()
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
