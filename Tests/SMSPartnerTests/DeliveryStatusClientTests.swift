import Foundation
import SMSPartner
import SMSPartnerTesting
import SMSText
import Testing

/// `POST /multi-status`, `GET /message-status`, the new error codes and `/me`, through the real
/// client (libcurl) against the fake SMSPartner on 127.0.0.1.
@Suite struct DeliveryStatusClientTests {
    static let key = APIKey(FakeSMSPartner.defaultAPIKey)!

    func client(_ fake: FakeSMSPartner, key: APIKey = Self.key) -> SMSPartnerClient {
        SMSPartnerClient(apiKey: key, baseURL: fake.baseURL, userAgent: "smspartner-notify/test")
    }

    /// Sends one message to `numbers` through the fake and returns one query per number.
    func send(_ fake: FakeSMSPartner, _ numbers: [String]) throws -> [StatusQuery] {
        let phoneNumbers = try numbers.map { try PhoneNumber(parsing: $0) }
        let receipt = try client(fake).send(SendRequest(phoneNumbers: phoneNumbers, message: SMSMessage("x")), timeout: .seconds(5)).get()
        return phoneNumbers.map { StatusQuery(phoneNumber: $0, messageID: receipt.messageID) }
    }

    /// Each scripted outcome as the fake writes it, and what the client must read.
    static let outcomes: [(FakeDeliveryStatus, ReportedDelivery, Bool)] = [
        (.delivered, .delivered, false),
        (.notDelivered, .notDelivered(reason: "not delivered"), false),
        (.waiting, .waiting, false),
        (.status("4103"), .notDelivered(reason: "operator flood protection (4103)"), false),
        (.stop, .notDelivered(reason: ReportedDelivery.stopListReason), true),
    ]

    @Test func multiStatusReportsEachNumbersOutcome() async throws {
        let fake = try await FakeSMSPartner.start()
        let numbers = (1...Self.outcomes.count).map { "+3360000000\($0)" }
        for (number, outcome) in zip(numbers, Self.outcomes) { fake.scriptDelivery(to: number, [outcome.0]) }
        let queries = try send(fake, numbers)
        let statuses = try client(fake).multiStatus(queries.reversed(), timeout: .seconds(5)).get()
        #expect(statuses.count == queries.count)
        for (query, outcome) in zip(queries, Self.outcomes) {
            let status = try #require(statuses.first { $0.matches(query) }, "\(query)")
            #expect(status.delivery == outcome.1, "\(query.phoneNumber)")
            #expect(status.stopSMS == outcome.2)
            #expect(status.date != nil)
        }
        let request = try #require(fake.requests.last)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/multi-status")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(body["apiKey"] as? String == FakeSMSPartner.defaultAPIKey)
        let list = try #require(body["SMSStatut_List"] as? [[String: Any]])
        #expect(list.first?["phoneNumber"] as? String == "+33600000005")
        #expect(list.first?["messageId"] as? String == queries[0].messageID)
        try await fake.shutdown()
    }

    @Test(arguments: 0..<5)
    func messageStatusReportsTheOutcome(_ index: Int) async throws {
        let (script, expected, stop) = Self.outcomes[index]
        let fake = try await FakeSMSPartner.start()
        fake.scriptDelivery(to: "0600000001", [script])
        let query = try #require(try send(fake, ["+33600000001"]).first)
        let status = try client(fake).messageStatus(query, timeout: .seconds(5)).get()
        #expect(status.delivery == expected)
        #expect(status.stopSMS == stop)
        #expect(status.matches(query))
        let request = try #require(fake.requests.last)
        #expect(request.method == "GET")
        #expect(request.path == "/v1/message-status")
        #expect(request.query["messageId"] == query.messageID)
        #expect(request.query["phoneNumber"] == "+33600000001")
        #expect(request.query["apiKey"] == FakeSMSPartner.defaultAPIKey)
        try await fake.shutdown()
    }

    @Test func aScriptIsWalkedQueryByQueryAndStaysOnItsLastStep() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.scriptDelivery(to: "33600000001", [.waiting, .status("ENROUTE"), .delivered])
        let query = try #require(try send(fake, ["0600000001"]).first)
        let c = client(fake)
        var seen: [ReportedDelivery] = []
        for _ in 0..<4 { seen.append(try c.messageStatus(query, timeout: .seconds(5)).get().delivery) }
        #expect(seen == [.waiting, .waiting, .delivered, .delivered])
        // Numbers without a script answer the default status.
        let other = try #require(try send(fake, ["+33600000009"]).first)
        #expect(try c.messageStatus(other, timeout: .seconds(5)).get().delivery == .delivered)
        fake.setDefaultDeliveryStatus(.waiting)
        #expect(try c.messageStatus(other, timeout: .seconds(5)).get().delivery == .waiting)
        try await fake.shutdown()
    }

    @Test func anUnknownMessageIsNotFound() async throws {
        let fake = try await FakeSMSPartner.start()
        let known = try #require(try send(fake, ["+33600000001"]).first)
        let unknownID = StatusQuery(phoneNumber: known.phoneNumber, messageID: "99999")
        let unknownNumber = StatusQuery(phoneNumber: try PhoneNumber(parsing: "+33600000002"), messageID: known.messageID)
        let c = client(fake)
        for query in [unknownID, unknownNumber] {
            let error = try #require(c.messageStatus(query, timeout: .seconds(5)).failure)
            guard case .rejected(code: 4, _, _, _) = error else { Issue.record("\(error)"); continue }
        }
        let statuses = try c.multiStatus([known, unknownID], timeout: .seconds(5)).get()
        #expect(statuses.first { $0.matches(known) }?.delivery == .delivered)
        let missing = try #require(statuses.first { $0.matches(unknownID) })
        #expect(missing.delivery == .unrecognized("Message introuvable"))
        #expect(!missing.delivery.isFinal)
        try await fake.shutdown()
    }

    @Test func multiStatusTakes500QueriesAndTheFakeRefuses501() async throws {
        let fake = try await FakeSMSPartner.start()
        let numbers = (0..<SMSPartnerClient.maxStatusQueries).map { "+336\(10_000_000 + $0)" }
        let queries = try send(fake, numbers)
        #expect(SMSPartnerClient.maxStatusQueries == 500)
        let c = client(fake)
        let statuses = try c.multiStatus(queries, timeout: .seconds(10)).get()
        #expect(statuses.count == 500)
        #expect(statuses.allSatisfy { $0.delivery == .delivered })
        let extra = StatusQuery(phoneNumber: try PhoneNumber(parsing: "+33699999999"), messageID: queries[0].messageID)
        let error = try #require(c.multiStatus(queries + [extra], timeout: .seconds(10)).failure)
        guard case .rejected(code: 9, _, let fields, _) = error else { Issue.record("\(error)"); return }
        #expect(fields.first?.elementID == "children[SMSStatut_List].data")
        #expect(error.failureClass == .rejected)
        #expect(try c.multiStatus([], timeout: .seconds(5)).get().isEmpty)
        #expect(fake.requests.filter { $0.path == "/v1/multi-status" }.count == 2, "no request for an empty list")
        try await fake.shutdown()
    }

    @Test func failingStatusQueriesAreTransientAndCounted() async throws {
        let fake = try await FakeSMSPartner.start()
        let query = try #require(try send(fake, ["+33600000001"]).first)
        fake.failStatusQueries(2)
        let c = client(fake)
        #expect(c.messageStatus(query, timeout: .seconds(5)).failure?.failureClass == .transient)
        #expect(c.multiStatus([query], timeout: .seconds(5)).failure?.failureClass == .transient)
        #expect(try c.messageStatus(query, timeout: .seconds(5)).get().delivery == .delivered)
        let statusCalls = fake.requests.filter { ["/v1/message-status", "/v1/multi-status"].contains($0.path) }
        #expect(statusCalls.map(\.reply) == ["status http 503", "status http 503", "status \(query.messageID) +33600000001: Delivered"])
        try await fake.shutdown()
    }

    @Test func aWrongKeyOnAStatusQueryIsAConfigurationError() async throws {
        let fake = try await FakeSMSPartner.start()
        let query = try #require(try send(fake, ["+33600000001"]).first)
        let c = client(fake, key: APIKey("wrong-key-123456")!)
        for error in [c.messageStatus(query, timeout: .seconds(5)).failure, c.multiStatus([query], timeout: .seconds(5)).failure] {
            let error = try #require(error)
            #expect(error.failureClass == .configuration)
            #expect(!error.description.contains("wrong-key"))
        }
        try await fake.shutdown()
    }

    @Test(arguments: [
        (14, FailureClass.rejected), (20, .account), (30, .account), (40, .account), (52, .rejected), (96, .configuration),
    ])
    func newErrorCodesAreClassified(_ code: Int, _ expected: FailureClass) async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.error(code: code))
        let phoneNumber = try PhoneNumber(parsing: "+33600000001")
        let error = try #require(client(fake).send(SendRequest(phoneNumbers: [phoneNumber], message: SMSMessage("x")), timeout: .seconds(5)).failure)
        guard case .rejected(code, _, _, _) = error else { Issue.record("\(error)"); return }
        #expect(error.failureClass == expected)
        #expect(!error.failureClass.isRetryable)
        #expect(error.isRecipientSpecific == (code == 14))
        #expect(SMSPartnerError.meaning(ofCode: code) != "undocumented code")
        #expect(error.description.contains(SMSPartnerError.meaning(ofCode: code)))
        try await fake.shutdown()
    }

    @Test func theStopListAndTheIPMeaningsTellWhatToDo() {
        #expect(SMSPartnerError.meaning(ofCode: 14).contains("STOP list"))
        #expect(SMSPartnerError.meaning(ofCode: 96).contains("add this host's IP to the account's allowed IPs"))
        #expect(!SMSPartnerError.httpStatus(400, excerpt: "").isRecipientSpecific)
    }

    /// Code 500 in the body is SMSPartner's queue failing: transient whatever the HTTP status.
    @Test(arguments: [200, 400, 500])
    func code500IsTransient(_ httpStatus: Int) async throws {
        let fake = try await FakeSMSPartner.start()
        fake.enqueue(.error(code: 500, httpStatus: httpStatus))
        let phoneNumber = try PhoneNumber(parsing: "+33600000001")
        let error = try #require(client(fake).send(SendRequest(phoneNumbers: [phoneNumber], message: SMSMessage("x")), timeout: .seconds(5)).failure)
        #expect(error.failureClass == .transient)
        #expect(error.failureClass.isRetryable)
        try await fake.shutdown()
    }

    @Test func meReportsTheCreditsOrTheErrorSet() async throws {
        let fake = try await FakeSMSPartner.start()
        fake.setCredits(42)
        let c = client(fake)
        #expect(try c.me(timeout: .seconds(5)).get().creditSMS == 42)
        for (code, expected) in [(20, FailureClass.account), (30, .account), (40, .account), (10, .configuration), (96, .configuration)] {
            fake.setMeError(code: code)
            let error = try #require(c.me(timeout: .seconds(5)).failure)
            guard case .rejected(code, _, _, 400) = error else { Issue.record("\(code): \(error)"); continue }
            #expect(error.failureClass == expected, "code \(code)")
        }
        fake.setMeError(code: nil)
        #expect(try c.me(timeout: .seconds(5)).get().creditSMS == 42)
        // A wrong key is code 10 without any error set.
        let wrong = try #require(client(fake, key: APIKey("another-wrong-key")!).me(timeout: .seconds(5)).failure)
        guard case .rejected(code: 10, _, _, _) = wrong else { Issue.record("\(wrong)"); return }
        #expect(fake.requests.map(\.reply).suffix(2) == ["me", "error 10 (apiKey wrong)"])
        try await fake.shutdown()
    }
}
