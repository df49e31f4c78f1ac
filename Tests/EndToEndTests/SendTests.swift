import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// `send` against a fake SMSPartner: what goes over the wire, and what comes back as exit code.
@Suite("send: delivery")
struct SendTests {
    static let nagiosService = [
        "send", "--to", "0600000000", "--notification-type", "PROBLEM", "--host", "web01",
        "--service", "HTTP", "--service-state", "CRITICAL", "--output", "Connection refused",
    ]

    @Test("a Nagios service alert is sent once, with the documented body and User-Agent")
    func success() async throws {
        let version = try await CLI.run(["--version"])
        #expect(version.exitCode == 0)
        let versionText = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        try await withFake { fake in
            let result = try await CLI.run(Self.nagiosService, env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(result.stdoutLines.count == 1)
            #expect(result.stdout.hasPrefix("sent: +33600000000 (message_id "), "\(result.summary)")

            let requests = fake.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.path == "/v1/send")
            #expect(request.header("content-type")?.hasPrefix("application/json") == true)
            #expect(request.header("user-agent") == "smspartner-notify/\(versionText)")
            #expect(request.reply == "accept")

            let body = try #require(request.sendBody)
            #expect(body.apiKey == FakeSMSPartner.defaultAPIKey)
            #expect(body.phoneNumbers == "+33600000000")
            #expect(body.message == "PROBLEM web01/HTTP CRITICAL: Connection refused")
            #expect(body.isStopSms == 0)
            #expect(body.isUnicode == nil)
            #expect(body.sandbox == nil)
            #expect(body.sender == nil)
            #expect(fake.deliveredMessages == [body])
        }
    }

    @Test(
        "an SMSPartner error code is never retried and maps to its exit code",
        arguments: [(1, Int32(78)), (10, 78), (2, 69), (9, 69), (11, 69)])
    func errorCode(code: Int, exitCode: Int32) async throws {
        try await withFake { fake in
            fake.enqueue(.error(code: code))
            let result = try await CLI.run(Self.nagiosService, env: fake.env)
            #expect(result.exitCode == exitCode, "\(result.summary)")
            #expect(fake.requests.count == 1, "retried a permanent error: \(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.isEmpty)
            #expect(result.stdoutLines.count == 1 && result.stdout.hasPrefix("failed: +33600000000: "), "\(result.summary)")
            #expect(result.stderr.contains("code \(code)"), "\(result.summary)")
            switch code {
            case 11:
                #expect(result.stderr.contains("credits"), "\(result.summary)")
                #expect(result.stderr.contains("top up"), "\(result.summary)")
            case 9:
                #expect(result.stderr.contains("children[phoneNumbers].data"), "\(result.summary)")
                #expect(result.stderr.contains("Le numéro de téléphone n'est pas valide"), "\(result.summary)")
            case 10:
                #expect(result.stderr.contains("Clé API incorrecte"), "\(result.summary)")
            default:
                break
            }
        }
    }

    @Test("a key the provider refuses (code 10 from validation) exits 78 and never shows the key")
    func wrongKey() async throws {
        let wrongKey = "wrong-key-fedcba9876543210"
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_API_KEY"] = wrongKey
            let result = try await CLI.run(Self.nagiosService, env: env, secrets: [wrongKey])
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(fake.requests.count == 1)
            #expect(fake.requests.first?.sendBody?.apiKey == wrongKey)
            #expect(result.stderr.contains("code 10"), "\(result.summary)")
        }
    }

    @Test("a reply that quotes the API key is redacted in the error line")
    func replyEchoingKeyIsRedacted() async throws {
        try await withFake { fake in
            fake.enqueue(.http(status: 403, body: "<html>forbidden for key \(FakeSMSPartner.defaultAPIKey)</html>"))
            let result = try await CLI.run(Self.nagiosService, env: fake.env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(fake.requests.count == 1)
            #expect(result.stderr.contains("HTTP 403"), "\(result.summary)")
            #expect(result.stderr.contains("<redacted>"), "\(result.summary)")
        }
    }

    @Test("HTTP 500 twice, then accepted: three requests, one SMS")
    func retriesServerErrors() async throws {
        try await withFake { fake in
            fake.enqueue(.http(status: 500, body: "<html>oops</html>"), .http(status: 500, body: "<html>oops</html>"), .accept)
            let result = try await CLI.run(Self.nagiosService, env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.requests.count == 3)
            #expect(fake.deliveredMessages.count == 1)
            #expect(result.stdout.hasPrefix("sent: +33600000000 (message_id "))
        }
    }

    @Test("a provider that stays down: exit 75 within the --timeout budget, after several attempts")
    func providerStaysDown() async throws {
        try await withFake { fake in
            fake.setDefaultReply(.http(status: 500, body: "<html>Internal Server Error</html>"))
            let result = try await CLI.run(Self.nagiosService + ["--timeout", "3"], env: fake.env)
            #expect(result.exitCode == 75, "\(result.summary)")
            #expect(result.elapsed < .milliseconds(4500), "took \(result.elapsed)")
            #expect(fake.requests.count > 1, "no retry: \(fake.requests.count) request(s)")
            #expect(fake.deliveredMessages.isEmpty)
            #expect(result.stderr.contains("HTTP 500"), "\(result.summary)")
            #expect(result.stderr.contains("\(fake.requests.count) attempts"), "\(result.summary)")
        }
    }

    @Test("a provider slower than --timeout: exit 75 on time")
    func slowProvider() async throws {
        try await withFake { fake in
            fake.setDefaultReply(.delay(.seconds(10), then: .accept))
            let result = try await CLI.run(Self.nagiosService + ["--timeout", "2"], env: fake.env)
            #expect(result.exitCode == 75, "\(result.summary)")
            #expect(result.elapsed < .milliseconds(3500), "took \(result.elapsed)")
            #expect(fake.requests.count == 1, "\(fake.requests.map(\.reply))")
            #expect(result.stderr.contains("timed out"), "\(result.summary)")
        }
    }

    @Test("nobody listening: exit 75, \"could not connect\"")
    func connectionRefused() async throws {
        // Port 1 (tcpmux) is privileged and unused: connecting to it on loopback is refused at once.
        let env = ["SMSPARTNER_API_URL": "http://127.0.0.1:1/v1", "SMSPARTNER_API_KEY": FakeSMSPartner.defaultAPIKey]
        let result = try await CLI.run(Self.nagiosService + ["--timeout", "2"], env: env)
        #expect(result.exitCode == 75, "\(result.summary)")
        #expect(result.stderr.contains("could not connect"), "\(result.summary)")
        #expect(result.elapsed < .milliseconds(3500), "took \(result.elapsed)")
    }

    /// A configuration that asks SMSPartner about an unanswered request after 1 s (not 20).
    static func quickLookup() throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        return (dir, try dir.write("config.yml", "lookup_delay: 1s\n"))
    }

    @Test(
        "no (usable) answer after the request was sent: SMSPartner is asked by tag, then it is sent once",
        arguments: [FakeReply.dropConnection, .closeAfterHeaders, .http(status: 200, body: "<html>", contentType: "text/html")])
    func unansweredIsAskedAboutBeforeItIsSentAgain(first: FakeReply) async throws {
        let (dir, config) = try Self.quickLookup()
        defer { dir.remove() }
        try await withFake { fake in
            fake.enqueue(first, .accept)
            let result = try await CLI.run(Self.nagiosService + ["--config", config], env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.requests.map(\.path) == ["/v1/send", "/v1/bulk-status-by-tag", "/v1/send"], "\(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.count == 1)
            #expect(Set(fake.sendBodies.map(\.tag)).count == 1, "the same message, the same tag")
        }
    }

    /// Issue 16: SMSPartner answering after 12 s but accepting made one `send --timeout 30` send
    /// 3 accepted requests (exit 75), and a later `flush` a 4th.
    @Test("a provider that takes 12 s to accept gets one request per alert, and a later flush sends nothing")
    func slowButAcceptingProviderGetsOneRequest() async throws {
        try await withFake { fake in
            fake.setDefaultReply(.slowAccept(.seconds(12)))
            let state = try TemporaryDirectory()
            defer { state.remove() }
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state.path("state")
            let result = try await CLI.run(Self.nagiosService + ["--timeout", "30"], env: env, timeout: .seconds(90))
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(result.stdout.contains("SMSPartner has it under tag"), "\(result.summary)")
            #expect(fake.sendBodies.count == 1, "\(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.count == 1)
            let flush = try await CLI.run(["flush"], env: env)
            #expect(flush.exitCode == 0, "\(flush.summary)")
            #expect(fake.sendBodies.count == 1, "\(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.count == 1)
        }
    }

    /// With the default 20 s budget there is no time to ask: exit 75, kept as unknown, and the
    /// flush that asks after `lookup_delay` finds it rather than sending it again.
    @Test("without time to ask, send exits 75 'not confirmed' and the next flush confirms it")
    func unknownIsConfirmedByALaterFlush() async throws {
        let (dir, config) = try Self.quickLookup()
        defer { dir.remove() }
        try await withFake { fake in
            fake.setDefaultReply(.slowAccept(.seconds(3)))
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = dir.path("state")
            env["SMSPARTNER_NOTIFY_CONFIG"] = config
            let result = try await CLI.run(Self.nagiosService + ["--timeout", "2"], env: env)
            #expect(result.exitCode == 75, "\(result.summary)")
            #expect(result.stderr.contains("not confirmed"), "\(result.summary)")
            #expect(result.stdout.contains("unknown: "), "\(result.summary)")
            let status = try await CLI.run(["status", "--json"], env: env)
            #expect(status.stdout.contains("\"unknown\" : 1") || status.stdout.contains("\"unknown\":1"), "\(status.summary)")
            try await Task.sleep(for: .seconds(3))
            let flush = try await CLI.run(["flush"], env: env)
            #expect(flush.exitCode == 0, "\(flush.summary)")
            #expect(flush.stdout.contains("SMSPartner has it under tag"), "\(flush.summary)")
            #expect(fake.sendBodies.count == 1, "\(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.count == 1)
        }
    }

    @Test("HTTP 400 with an HTML body is refused for good: exit 69, one request")
    func badRequestWithoutJSON() async throws {
        try await withFake { fake in
            fake.enqueue(.http(status: 400, body: "<html><body>Bad Request</body></html>"))
            let result = try await CLI.run(Self.nagiosService, env: fake.env)
            #expect(result.exitCode == 69, "\(result.summary)")
            #expect(fake.requests.count == 1, "\(fake.requests.map(\.reply))")
            #expect(result.stderr.contains("HTTP 400"), "\(result.summary)")
        }
    }

    @Test("HTTP 429 is retried")
    func tooManyRequestsIsRetried() async throws {
        try await withFake { fake in
            fake.enqueue(.http(status: 429, body: "slow down", contentType: "text/plain"), .accept)
            let result = try await CLI.run(Self.nagiosService, env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.requests.count == 2, "\(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.count == 1)
        }
    }
}

/// Regressions: every failure is one stderr line, the time budget holds across batches, and a
/// blank text is never sent.
@Suite("one-line errors, time budget, blank text")
struct RegressionTests {
    @Test("numbers from $(cat file) (newline-separated) still give a one-line error")
    func newlineInToGivesOneLine() async throws {
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000\n0611111111", "--message", "disk full"], env: fake.env)
            #expect(result.exitCode == 64)
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("an SMSPartner error message with a newline still gives a one-line error")
    func newlineInProviderMessageGivesOneLine() async throws {
        try await withFake { fake in
            fake.enqueue(
                .http(
                    status: 400,
                    body: #"{"success":false,"code":9,"errors":[{"elementId":"children[message].data","message":"Le message est\nobligatoire"}]}"#,
                    contentType: "application/json"))
            let result = try await CLI.run(SendTests.nagiosService, env: fake.env)
            #expect(result.exitCode == 69)
            #expect(result.stderr.contains("Le message est obligatoire"), "\(result.summary)")
            #expect(fake.requests.count == 1)
        }
    }

    @Test("once the budget is spent, later batches are not attempted")
    func laterBatchesNotAttemptedAfterDeadline() async throws {
        let numbers = (0..<1001).map { "+336100" + String(format: "%05d", $0) }
        try await withFake { fake in
            fake.setDefaultReply(.delay(.seconds(10), then: .accept))
            let result = try await CLI.run(
                ["send", "--to", numbers.joined(separator: ","), "--message", "disk full", "--timeout", "2"],
                env: fake.env)
            #expect(result.exitCode == 75, "\(result.summary)")
            #expect(result.elapsed < .seconds(5), "took \(result.elapsed)")
            // Batch 1 uses the whole 2 s budget; batches 2 and 3 are never started.
            #expect(fake.requests.count == 1, "\(fake.requests.count) requests")
        }
    }

    @Test("a blank --message is refused like blank standard input", arguments: ["   ", "\n\t \n"])
    func blankMessageIsRefused(_ text: String) async throws {
        try await withFake { fake in
            let result = try await CLI.run(["send", "--to", "0600000000", "--message", text], env: fake.env)
            #expect(result.exitCode == 65, "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }
}

/// The text of `--message` as SMSPartner receives it.
@Suite("send: text encoding")
struct EncodingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var expectedMessage: String
        var unicode: Bool
        /// The configuration's `encoding:`, when not the default `auto`.
        var encoding: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "quotes and backslash", text: #"say "hi" \ bye"#, expectedMessage: #"say "hi" \ bye"#, unicode: false),
        Case(name: "newline", text: "line one\nline two", expectedMessage: "line one:br:line two", unicode: false),
        Case(name: "euro", text: "cost 5€ today", expectedMessage: "cost 5:euro: today", unicode: false),
        Case(name: "GSM-7 accents", text: "été è là où", expectedMessage: "été è là où", unicode: false),
        Case(name: "emoji, dropped in auto", text: "🔥 disk on fire", expectedMessage: "disk on fire", unicode: false),
        Case(name: "emoji, kept in unicode", text: "🔥 disk on fire", expectedMessage: "🔥 disk on fire", unicode: true, encoding: "unicode"),
        Case(name: "curly quotes and accents, transliterated", text: "“ça” — ok…", expectedMessage: "\"ca\" - ok...", unicode: false),
        Case(name: "curly quotes, kept in unicode", text: "“ok”", expectedMessage: "“ok”", unicode: true, encoding: "unicode"),
        Case(name: "Cyrillic", text: "Сервер недоступен", expectedMessage: "Сервер недоступен", unicode: true),
        Case(name: "Cyrillic forced to gsm7", text: "Сервер down", expectedMessage: "?????? down", unicode: false, encoding: "gsm7"),
    ]

    @Test(
        "a long text is cut to one SMS, billed as one",
        arguments: [
            (String(repeating: "a", count: 200), "...", false),
            (String(repeating: "a", count: 80) + "\n" + String(repeating: "b", count: 79), "...", false),
            (String(repeating: "ж", count: 100), "…", true),
        ])
    func truncation(text: String, mark: String, unicode: Bool) async throws {
        try await withFake { fake in
            let result = try await CLI.run(["send", "--to", "0600000000", "--message", text], env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            let body = try #require(fake.deliveredMessages.first)
            #expect(body.message?.hasSuffix(mark) == true, "\(body.message ?? "nil")")
            #expect(body.isUnicode == (unicode ? 1 : nil))
            #expect(result.stdout.contains("nb_sms 1,"), "\(result.summary)")
        }
    }

    @Test("the message field and isUnicode", arguments: cases)
    func encoding(_ testCase: Case) async throws {
        try await withFake { fake in
            var args = ["send", "--to", "0600000000", "--message", testCase.text]
            if let encoding = testCase.encoding {
                let dir = try TemporaryDirectory()
                defer { dir.remove() }
                args += ["--config", try dir.write("config.yml", "encoding: \(encoding)\n")]
                let result = try await CLI.run(args, env: fake.env)
                #expect(result.exitCode == 0, "\(result.summary)")
            } else {
                let result = try await CLI.run(args, env: fake.env)
                #expect(result.exitCode == 0, "\(result.summary)")
            }
            #expect(fake.requests.count == 1)
            let body = try #require(fake.deliveredMessages.first)
            #expect(body.message == testCase.expectedMessage)
            #expect(body.isUnicode == (testCase.unicode ? 1 : nil))
            #expect(body.isStopSms == 0)
        }
    }
}
