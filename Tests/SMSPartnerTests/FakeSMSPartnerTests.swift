// Tests of the fake SMSPartner server itself (SMSPartnerTesting), through a raw-socket HTTP
// client independent of both the fake (SwiftNIO) and the real client (libcurl).

import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

@Suite("FakeSMSPartner")
struct FakeSMSPartnerTests {
    let key = FakeSMSPartner.defaultAPIKey

    // MARK: accept

    @Test func acceptAnswersWithIncreasingMessageIDs() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let first = try await RawHTTP.send(port: fake.port, body: sendBody(numbers: "+33600000001,0600000002"))
        let second = try await RawHTTP.send(port: fake.port, body: sendBody(numbers: "+33600000003"))

        #expect(first.status == 200)
        #expect(first.header("content-type") == "application/json; charset=utf-8")
        #expect(first.header("content-length") == String(first.body.count))
        let firstJSON = try first.json()
        #expect(firstJSON["success"] as? Bool == true)
        #expect(firstJSON["code"] as? Int == 200)
        #expect(firstJSON["nb_sms"] as? Int == 2)
        #expect(firstJSON["cost"] as? Double == 0.09)
        #expect(firstJSON["currency"] as? String == "EUR")
        let firstID = try #require(firstJSON["message_id"] as? Int)
        let secondID = try #require(try second.json()["message_id"] as? Int)
        #expect(secondID > firstID)

        #expect(fake.deliveredMessages.map(\.numbers) == [["+33600000001", "0600000002"], ["+33600000003"]])
        #expect(fake.deliveredMessages.first?.isStopSms == 0)
        #expect(fake.requests.map(\.reply) == ["accept", "accept"])
        #expect(fake.requests.first?.path == "/v1/send")
        #expect(fake.requests.first?.method == "POST")
        #expect(fake.requests.first?.header("Content-Type") == "application/json")
    }

    @Test func acceptCountsSegmentsTimesRecipients() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let long = String(repeating: "a", count: 161)  // two parts of 153
        let reply = try await RawHTTP.send(
            port: fake.port, body: sendBody(numbers: "+33600000001,+33600000002,+33600000003", message: long))
        #expect(try reply.json()["nb_sms"] as? Int == 6)

        let withBreaks = String(repeating: "a", count: 158) + ":br:"  // :br: counts as two: 160
        let single = try await RawHTTP.send(port: fake.port, body: sendBody(message: withBreaks))
        #expect(try single.json()["nb_sms"] as? Int == 1)

        let unicode = try await RawHTTP.send(
            port: fake.port, body: sendBody(message: String(repeating: "é", count: 71), extra: ["isUnicode": 1]))
        #expect(try unicode.json()["nb_sms"] as? Int == 2)
    }

    // MARK: queued errors

    @Test(arguments: [1, 2, 9, 10, 11])
    func queuedErrorCodes(code: Int) async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.enqueue(.error(code: code))

        let reply = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(reply.status == 400)
        #expect(reply.header("content-type") == "application/json; charset=utf-8")
        let json = try reply.json()
        #expect(json["success"] as? Bool == false)
        #expect(json["code"] as? Int == code)
        if code == 9 {
            let errors = try #require(json["errors"] as? [[String: Any]])
            #expect(errors.first?["elementId"] as? String == "children[phoneNumbers].data")
            #expect(errors.first?["message"] as? String == "Le numéro de téléphone n'est pas valide")
        } else {
            let message = try #require(json["message"] as? String)
            #expect(!message.isEmpty)
        }
        #expect(fake.requests.map(\.reply) == ["error \(code)"])
        #expect(fake.deliveredMessages.isEmpty)

        // The queue is consumed: the next send gets the default reply.
        let next = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(next.status == 200)
    }

    @Test func errorWithAnotherHTTPStatusAndDefaultReply() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.setDefaultReply(.error(code: 11, httpStatus: 200))

        for _ in 0..<2 {
            let reply = try await RawHTTP.send(port: fake.port, body: sendBody())
            #expect(reply.status == 200)
            #expect(try reply.json()["code"] as? Int == 11)
        }
        #expect(fake.requests.map(\.reply) == ["error 11 (http 200)", "error 11 (http 200)"])
    }

    // MARK: validation

    @Test func validationAnswersLikeTheAPI() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let cases: [(body: String, code: Int, field: String?)] = [
            (sendBody(apiKey: "wrong"), 10, nil),
            (sendBody(apiKey: nil), 1, nil),
            (sendBody(apiKey: ""), 1, nil),
            (sendBody(numbers: nil), 2, nil),
            (sendBody(numbers: ""), 2, nil),
            (sendBody(numbers: "+33600000001,12345"), 9, "children[phoneNumbers].data"),
            (sendBody(numbers: "+33 6 00 00 00 01"), 9, "children[phoneNumbers].data"),
            (sendBody(numbers: "+33600000001,"), 9, "children[phoneNumbers].data"),
            (sendBody(numbers: numbers(501)), 9, "children[phoneNumbers].data"),
            (sendBody(message: nil), 9, "children[message].data"),
            (sendBody(extra: ["sender": "ThisIsTooLong"]), 9, "children[sender].data"),
            (sendBody(extra: ["sender": "AB"]), 9, "children[sender].data"),
            (sendBody(extra: ["sender": "Mon-Site"]), 9, "children[sender].data"),
            (sendBody(extra: ["tag": "Nagios"]), 9, "children[tag].data"),
            (sendBody(isStopSms: 1), 9, "children[isStopSms].data"),
        ]
        for testCase in cases {
            let reply = try await RawHTTP.send(port: fake.port, body: testCase.body)
            #expect(reply.status == 400, "\(testCase.body.prefix(120))")
            let json = try reply.json()
            #expect(json["success"] as? Bool == false)
            #expect(json["code"] as? Int == testCase.code, "\(testCase.body.prefix(120))")
            if let field = testCase.field {
                let errors = json["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["elementId"] as? String == field }, "\(testCase.body.prefix(120))")
            }
        }
        #expect(fake.deliveredMessages.isEmpty)
        #expect(fake.requests.count == cases.count)
        #expect(fake.requests.last?.reply.contains("ISSTOPSMS=1") == true)
        #expect(fake.requests.allSatisfy { $0.reply.hasPrefix("error ") })
    }

    @Test func validInputsAreAccepted() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let bodies = [
            sendBody(numbers: numbers(500)),
            sendBody(numbers: "+4915123456789,0612345678"),
            sendBody(extra: ["sender": "Ops", "tag": "nagios", "sandbox": 1]),
            sendBody(extra: ["sender": ""]),
            sendBody(isStopSms: nil),
        ]
        for body in bodies {
            let reply = try await RawHTTP.send(port: fake.port, body: body)
            #expect(reply.status == 200, "\(body.prefix(120)): \(reply.text)")
        }
        #expect(fake.deliveredMessages.count == bodies.count)
        #expect(fake.deliveredMessages[0].numbers.count == 500)
        #expect(fake.deliveredMessages[2].sandbox == 1)
        #expect(fake.deliveredMessages[2].sender == "Ops")
    }

    @Test func validationFailuresDoNotConsumeTheQueue() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.enqueue(.error(code: 11))

        let invalid = try await RawHTTP.send(port: fake.port, body: sendBody(apiKey: "wrong"))
        #expect(try invalid.json()["code"] as? Int == 10)
        #expect(fake.pendingReplies == [.error(code: 11)])
        let valid = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(try valid.json()["code"] as? Int == 11)
        #expect(fake.pendingReplies.isEmpty)
    }

    @Test func malformedBodiesGetHTTP400() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        // An unescaped quote, as in a hand-built body.
        let unescaped = #"{"apiKey":"\#(key)","phoneNumbers":"+33600000001","message":"he said "hi""}"#
        let cases: [(body: String, contentType: String)] = [
            (unescaped, "application/json"),
            ("[1,2,3]", "application/json"),
            (#"{"apiKey":12}"#, "application/json"),
            ("", "application/json"),
            (sendBody(), "application/x-www-form-urlencoded"),
            (sendBody(), ""),
        ]
        for testCase in cases {
            let reply = try await RawHTTP.send(port: fake.port, body: testCase.body, contentType: testCase.contentType)
            #expect(reply.status == 400, "\(testCase.body)")
            #expect(reply.header("content-type") == "application/json; charset=utf-8")
            #expect(try reply.json()["success"] as? Bool == false)
        }
        #expect(fake.requests.allSatisfy { $0.reply.hasPrefix("http 400") })

        // Content-Type parameters and case do not matter.
        let withCharset = try await RawHTTP.send(
            port: fake.port, body: sendBody(), contentType: "Application/JSON; charset=UTF-8")
        #expect(withCharset.status == 200)
    }

    // MARK: raw replies, delays, drops

    @Test func rawHTTPReply() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.enqueue(
            .http(status: 500, body: "<html><body>Internal Server Error</body></html>"),
            .http(status: 200, body: "not json", contentType: "text/plain"))

        let error = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(error.status == 500)
        #expect(error.header("content-type") == "text/html")
        #expect(error.text == "<html><body>Internal Server Error</body></html>")
        let garbage = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(garbage.status == 200)
        #expect(garbage.text == "not json")
        #expect(fake.requests.map(\.reply) == ["http 500", "http 200"])
        #expect(fake.deliveredMessages.isEmpty)
    }

    @Test func delayDoesNotBlockOtherConnections() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        // Long enough that a loaded machine still answers the second request first; the test
        // checks the order of the answers, not a time bound.
        fake.enqueue(.delay(.seconds(4), then: .accept))

        let clock = ContinuousClock()
        let start = clock.now
        let port = fake.port
        let slow = Task { () async throws -> (RawHTTPResponse, ContinuousClock.Instant) in
            let reply = try await RawHTTP.send(port: port, body: sendBody())
            return (reply, reply.readAt)
        }
        #expect(await fake.waitForRequests(count: 1, timeout: .seconds(5)))
        // A delayed accept counts as delivered as soon as it is decided.
        #expect(fake.deliveredMessages.count == 1)

        let fast = try await RawHTTP.send(port: fake.port, body: sendBody())
        let fastDone = fast.readAt
        #expect(fast.status == 200)

        let (slowReply, slowDone) = try await slow.value
        #expect(slowReply.status == 200)
        #expect(fastDone < slowDone, "the second request waited for the first")
        #expect(slowDone - start >= .seconds(4))
        #expect(fake.requests.map(\.reply) == ["delay 4.0 seconds then accept", "accept"])
    }

    @Test func latencyDelaysEveryReply() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.setLatency(.milliseconds(300))

        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await RawHTTP.get(port: fake.port, target: "/v1/me?apiKey=\(key)")
        #expect(reply.status == 200)
        #expect(clock.now - start >= .milliseconds(300))
    }

    @Test func dropConnectionWritesNothing() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.enqueue(.dropConnection, .delay(.milliseconds(50), then: .dropConnection))

        let dropped = try await RawHTTP.exchange(port: fake.port, requests: [RawHTTP.post(body: sendBody())])
        #expect(dropped.count == 1)
        #expect(dropped[0] == nil)
        let droppedLater = try await RawHTTP.exchange(port: fake.port, requests: [RawHTTP.post(body: sendBody())])
        #expect(droppedLater[0] == nil)

        #expect(fake.requests.map(\.reply) == ["drop", "delay 0.05 seconds then drop"])
        #expect(fake.requests.first?.sendBody?.numbers == ["+33600000001"])
        #expect(fake.deliveredMessages.isEmpty)
    }

    @Test func closeAfterHeadersCutsTheBody() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.enqueue(.closeAfterHeaders)

        await #expect(throws: RawConnection.Failure.self) {
            _ = try await RawHTTP.send(port: fake.port, body: sendBody())
        }
        #expect(fake.requests.map(\.reply) == ["close after headers"])
    }

    // MARK: /me and other paths

    @Test func meReportsCredits() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        fake.setCredits(250)

        let reply = try await RawHTTP.get(port: fake.port, target: "/v1/me?apiKey=\(key)")
        #expect(reply.status == 200)
        #expect(reply.header("content-type") == "application/json; charset=utf-8")
        let json = try reply.json()
        #expect(json["success"] as? Bool == true)
        let user = try #require(json["user"] as? [String: Any])
        #expect(user["username"] as? String == "fake")
        let credits = try #require(json["credits"] as? [String: Any])
        #expect(credits["creditSms"] as? Int == 250)
        #expect(credits["balance"] as? String == "11.250")
        #expect(credits["currency"] as? String == "EUR")

        let wrong = try await RawHTTP.get(port: fake.port, target: "/v1/me?apiKey=nope")
        #expect(wrong.status == 400)
        #expect(try wrong.json()["code"] as? Int == 10)
        let missing = try await RawHTTP.get(port: fake.port, target: "/v1/me")
        #expect(try missing.json()["code"] as? Int == 1)

        #expect(fake.requests.first?.query["apiKey"] == key)
        #expect(fake.requests.first?.path == "/v1/me")
        #expect(fake.requests.map(\.reply) == ["me", "error 10 (apiKey wrong)", "error 1 (apiKey missing)"])
    }

    @Test func otherPathsAndMethods() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let notFound = try await RawHTTP.get(port: fake.port, target: "/v1/bulk-send")
        #expect(notFound.status == 404)
        #expect(try notFound.json()["success"] as? Bool == false)
        let doubleSlash = try await RawHTTP.send(port: fake.port, body: sendBody(), target: "/v1//send")
        #expect(doubleSlash.status == 404)
        let wrongMethod = try await RawHTTP.get(port: fake.port, target: "/v1/send")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("allow") == "POST")
        #expect(fake.deliveredMessages.isEmpty)
    }

    @Test func statusRoutesAnswerLikeTheAPI() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        let sent = try await RawHTTP.send(port: fake.port, body: sendBody(numbers: "0600000001"))
        let id = try #require(try sent.json()["message_id"] as? Int)
        fake.scriptDelivery(to: "+33600000001", [.status("4103")])

        // A message id given as a JSON number, a number in another form.
        let multi = try await RawHTTP.send(
            port: fake.port, body: #"{"apiKey":"\#(key)","SMSStatut_List":[{"phoneNumber":"33600000001","messageId":\#(id)},{"phoneNumber":"+33600000002","messageId":"\#(id)"}]}"#,
            target: "/v1/multi-status")
        #expect(multi.status == 200)
        let list = try #require(try multi.json()["StatutResponse_List"] as? [[String: Any]])
        #expect(list.count == 2)
        #expect(list.first?["status"] as? String == "4103")
        #expect(list.first?["stopSms"] as? Bool == false)
        #expect(list.last?["success"] as? Bool == false)
        #expect(list.last?["code"] as? Int == 4)

        let single = try await RawHTTP.get(port: fake.port, target: "/v1/message-status?apiKey=\(key)&messageId=\(id)&phoneNumber=%2B33600000001")
        #expect(try single.json()["statut"] as? String == "4103")
        #expect(try single.json()["number"] as? String == "+33600000001")
        let noNumber = try await RawHTTP.get(port: fake.port, target: "/v1/message-status?apiKey=\(key)&messageId=\(id)")
        #expect(try noNumber.json()["code"] as? Int == 2)
        let form = try await RawHTTP.send(port: fake.port, body: "apiKey=\(key)", contentType: "application/x-www-form-urlencoded", target: "/v1/multi-status")
        #expect(form.status == 400)
        let wrongMethod = try await RawHTTP.get(port: fake.port, target: "/v1/multi-status")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("allow") == "POST")
        #expect(fake.acceptedMessages.map(\.messageID) == [String(id)])
        #expect(fake.acceptedMessages.first?.numbers == ["0600000001"])
    }

    // MARK: connections

    @Test func keepAliveAndExpectContinue() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let replies = try await RawHTTP.exchange(
            port: fake.port,
            requests: [
                RawHTTP.post(body: sendBody()),
                RawHTTP.post(body: sendBody(), extraHeaders: ["Expect: 100-continue"]),
                RawHTTP.request(method: "GET", target: "/v1/me?apiKey=\(key)"),
            ])
        #expect(replies.map { $0?.status } == [200, 200, 200])
        #expect(replies[1]?.sawContinue == true)
        #expect(replies.allSatisfy { $0?.header("connection") == "keep-alive" })
        #expect(fake.deliveredMessages.count == 2)
    }

    @Test func largeBody() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        let message = String(repeating: "x", count: 3 * 1024 * 1024)
        let reply = try await RawHTTP.send(port: fake.port, body: sendBody(numbers: numbers(500), message: message))
        #expect(reply.status == 200)
        #expect(fake.deliveredMessages.first?.message?.count == message.count)
    }

    @Test func waitForRequests() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }

        #expect(await fake.waitForRequests(count: 1, timeout: .milliseconds(100)) == false)
        #expect(await fake.waitForRequests(count: 0, timeout: .zero))

        let port = fake.port
        let body = sendBody()
        let sender = Task {
            try await Task.sleep(for: .milliseconds(100))
            for _ in 0..<2 { _ = try await RawHTTP.send(port: port, body: body) }
        }
        #expect(await fake.waitForRequests(count: 2, timeout: .seconds(10)))
        #expect(fake.requests.count >= 2)
        try await sender.value
    }

    @Test func resetClearsRecordsQueueAndDefault() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        _ = try await RawHTTP.send(port: fake.port, body: sendBody())
        fake.enqueue(.error(code: 11))
        fake.setDefaultReply(.dropConnection)

        fake.reset()
        #expect(fake.requests.isEmpty)
        #expect(fake.deliveredMessages.isEmpty)
        #expect(fake.pendingReplies.isEmpty)
        let reply = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(reply.status == 200)
    }

    @Test func customAPIKey() async throws {
        let fake = try await FakeSMSPartner.start(apiKey: "other-key")
        defer { Task { try? await fake.shutdown() } }
        #expect(fake.baseURL == "http://127.0.0.1:\(fake.port)/v1")

        let old = try await RawHTTP.send(port: fake.port, body: sendBody())
        #expect(try old.json()["code"] as? Int == 10)
        let new = try await RawHTTP.send(port: fake.port, body: sendBody(apiKey: "other-key"))
        #expect(new.status == 200)
    }

    /// Up to three tries: a port freed here may be taken at once by another test's server
    /// (a PostgreSQL cluster, a serve, an Alertmanager binding port 0 gets a recently freed
    /// port), which is no fault of the fake's; a fake that keeps its port fails all three.
    @Test func shutdownReleasesThePort() async throws {
        var taken: [Int] = []
        for _ in 0..<3 {
            let fake = try await FakeSMSPartner.start()
            let port = fake.port
            // An idle keep-alive connection must not keep anything alive.
            let idle = try RawConnection(port: port)
            defer { idle.close() }

            try await fake.shutdown()
            try await fake.shutdown()  // twice is harmless

            if let other = try? RawConnection(port: port) {
                other.close()
                taken.append(port)
                continue
            }
            let again = try await FakeSMSPartner.start(port: port)
            #expect(again.port == port)
            try await again.shutdown()
            return
        }
        Issue.record("after shutdown the port still took connections, in 3 tries (ports \(taken))")
    }

    @Test func decodesLooselyTypedFlags() async throws {
        let fake = try await FakeSMSPartner.start()
        defer { Task { try? await fake.shutdown() } }
        let body = #"{"apiKey":"\#(key)","phoneNumbers":"+33600000001","message":"m","isStopSms":"0","sandbox":true}"#
        let reply = try await RawHTTP.send(port: fake.port, body: body)
        #expect(reply.status == 200)
        #expect(fake.deliveredMessages == [
            SendRequestBody(apiKey: key, phoneNumbers: "+33600000001", message: "m", isStopSms: 0, sandbox: 1)
        ])
    }

    // MARK: helpers

    /// A `POST /v1/send` body built with a real JSON encoder; `nil` leaves a field out.
    func sendBody(
        apiKey: String? = FakeSMSPartner.defaultAPIKey, numbers: String? = "+33600000001",
        message: String? = "PROBLEM web01 HTTP CRITICAL", isStopSms: Int? = 0, extra: [String: Any] = [:]
    ) -> String {
        var object: [String: Any] = extra
        if let apiKey { object["apiKey"] = apiKey }
        if let numbers { object["phoneNumbers"] = numbers }
        if let message { object["message"] = message }
        if let isStopSms { object["isStopSms"] = isStopSms }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// `count` distinct valid international numbers, comma-separated.
    func numbers(_ count: Int) -> String {
        (0..<count).map { "+336\(String(10_000_000 + $0))" }.joined(separator: ",")
    }
}

// MARK: - Raw HTTP/1.1 on TestSupport's RawConnection

typealias RawHTTPResponse = RawConnection.Response

extension RawConnection.Response {
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw RawConnection.Failure.malformed("not a JSON object: \(text)")
        }
        return object
    }
}

/// Requests on new ``RawConnection``s, their blocking calls off the Swift concurrency pool.
enum RawHTTP {
    /// POSTs `body` to `target` on a new connection and reads the response.
    static func send(
        port: Int, body: String, contentType: String = "application/json", target: String = "/v1/send"
    ) async throws -> RawHTTPResponse {
        let request = post(body: body, contentType: contentType, target: target)
        guard let response = try await exchange(port: port, requests: [request]).first ?? nil else {
            throw RawConnection.Failure.malformed("the connection closed without a response")
        }
        return response
    }

    /// GETs `target` on a new connection.
    static func get(port: Int, target: String) async throws -> RawHTTPResponse {
        guard let response = try await exchange(port: port, requests: [request(method: "GET", target: target)]).first ?? nil
        else {
            throw RawConnection.Failure.malformed("the connection closed without a response")
        }
        return response
    }

    /// The bytes of a POST request.
    static func post(
        body: String, contentType: String = "application/json", target: String = "/v1/send",
        extraHeaders: [String] = []
    ) -> [UInt8] {
        var headers = extraHeaders
        if !contentType.isEmpty { headers.append("Content-Type: \(contentType)") }
        return request(method: "POST", target: target, headers: headers, body: Array(body.utf8))
    }

    /// The bytes of a request.
    static func request(method: String, target: String, headers: [String] = [], body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for header in headers { head += header + "\r\n" }
        if method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// Sends each request in turn on one keep-alive connection and reads its response;
    /// `nil` for a request whose connection closed before any response byte (then stops).
    static func exchange(port: Int, requests: [[UInt8]]) async throws -> [RawHTTPResponse?] {
        try await OwnThread.run {
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            var responses: [RawHTTPResponse?] = []
            for request in requests {
                try connection.send(request)
                guard let response = try connection.readResponseUnlessClosed() else {
                    responses.append(nil)
                    break
                }
                responses.append(response)
            }
            return responses
        }
    }
}
