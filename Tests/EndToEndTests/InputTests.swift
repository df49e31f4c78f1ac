import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// Recipients, API key, alert input and configuration: everything checked before anything leaves.
@Suite("send: input and configuration")
struct InputTests {
    @Test("an invalid --to stops everything: exit 64, nothing sent", arguments: ["abc", "12", "+33600000000,nope"])
    func invalidNumber(_ to: String) async throws {
        try await withFake { fake in
            let result = try await CLI.run(["send", "--to", to, "--message", "disk full"], env: fake.env)
            #expect(result.exitCode == 64, "\(result.summary)")
            #expect(result.stderr.contains("--to"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("no API key anywhere: exit 78, nothing sent")
    func missingKey() async throws {
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full"], env: ["SMSPARTNER_API_URL": fake.baseURL])
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains("API key"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("an unreadable SMSPARTNER_API_KEY_FILE: exit 78, nothing sent")
    func unreadableKeyFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await withFake { fake in
            for path in [dir.path("missing-key"), try dir.makeDirectory("a-directory")] {
                let result = try await CLI.run(
                    ["send", "--to", "0600000000", "--message", "disk full"],
                    env: ["SMSPARTNER_API_URL": fake.baseURL, "SMSPARTNER_API_KEY_FILE": path])
                #expect(result.exitCode == 78, "\(result.summary)")
                #expect(result.stderr.contains(path), "\(result.summary)")
            }
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("the key from SMSPARTNER_API_KEY_FILE (with a trailing newline) is used")
    func keyFromFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keyFile = try dir.write("api-key", FakeSMSPartner.defaultAPIKey + "\n")
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full"],
                env: ["SMSPARTNER_API_URL": fake.baseURL, "SMSPARTNER_API_KEY_FILE": keyFile])
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.requests.count == 1)
            #expect(fake.deliveredMessages.first?.apiKey == FakeSMSPartner.defaultAPIKey)
        }
    }

    @Test("plain text on stdin: first line, then the rest after :br:")
    func plainTextOnStdin() async throws {
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000"], env: fake.env, stdin: "disk full on db1\n/var 97%\n")
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.requests.count == 1)
            #expect(fake.deliveredMessages.first?.message == "disk full on db1:br:/var 97%")
        }
    }

    @Test("empty stdin: exit 65, nothing sent")
    func emptyStdin() async throws {
        try await withFake { fake in
            for stdin in [nil, "", " \n\n"] as [String?] {
                let result = try await CLI.run(["send", "--to", "0600000000"], env: fake.env, stdin: stdin)
                #expect(result.exitCode == 65, "\(result.summary)")
                #expect(result.stderr.contains("empty"), "\(result.summary)")
            }
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("stdin that is not UTF-8: exit 65, nothing sent")
    func stdinNotUTF8() async throws {
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000"], env: fake.env, input: .bytes(Data([0xFF, 0xFE, 0x41, 0x0A])))
            #expect(result.exitCode == 65, "\(result.summary)")
            #expect(result.stderr.contains("UTF-8"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("stdin that never reaches end of file: exit 65 once --timeout has passed, nothing sent")
    func stdinNeverCloses() async throws {
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--timeout", "1"], env: fake.env,
                input: .neverClosed(Data("disk full\n".utf8)), timeout: .seconds(10))
            #expect(result.exitCode == 65, "\(result.summary)")
            #expect(result.elapsed < .seconds(5), "took \(result.elapsed)")
            #expect(result.stderr.contains("standard input"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("stdin larger than 1 MiB: exit 65, nothing sent")
    func stdinTooLarge() async throws {
        try await withFake { fake in
            let big = Data(repeating: UInt8(ascii: "x"), count: (1 << 20) + 1)
            let result = try await CLI.run(["send", "--to", "0600000000"], env: fake.env, input: .bytes(big))
            #expect(result.exitCode == 65, "\(result.summary)")
            #expect(result.stderr.contains("larger than"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("proxy variables never divert a loopback API URL")
    func proxyIgnoredForLoopback() async throws {
        try await withFake { fake in
            var env = fake.env
            for name in ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] {
                env[name] = "http://127.0.0.1:1"
            }
            let result = try await CLI.run(["send", "--to", "0600000000", "--message", "disk full"], env: env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.deliveredMessages.count == 1)
        }
    }

    @Test("--config: sender, tag and sandbox reach the request")
    func configFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "sender: ACME\ntag: nagios\nsandbox: true\n")
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", config], env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.requests.count == 1)
            let body = try #require(fake.deliveredMessages.first)
            #expect(body.sender == "ACME")
            #expect(body.tag?.hasPrefix("nagios") == true && (body.tag?.count ?? 99) <= 20, "the configured tag prefixes the message's own")
            #expect(body.sandbox == 1)
            #expect(body.isStopSms == 0)
        }
    }

    @Test("SMSPARTNER_NOTIFY_CONFIG names the configuration too")
    func configFromEnvironment() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "sender: ACME\ntag: nagios\nsandbox: true\n")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_NOTIFY_CONFIG"] = config
            let result = try await CLI.run(["send", "--to", "0600000000", "--message", "disk full"], env: env)
            #expect(result.exitCode == 0, "\(result.summary)")
            let body = try #require(fake.deliveredMessages.first)
            #expect(body.sender == "ACME")
            #expect(body.tag?.hasPrefix("nagios") == true && (body.tag?.count ?? 99) <= 20, "the configured tag prefixes the message's own")
            #expect(body.sandbox == 1)
        }
    }

    @Test("the key may come from the configuration's api_key_file")
    func keyFileFromConfig() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keyFile = try dir.write("api-key", FakeSMSPartner.defaultAPIKey + "\n")
        let config = try dir.write("config.yml", "api_key_file: \(keyFile)\n")
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", config],
                env: ["SMSPARTNER_API_URL": fake.baseURL])
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.deliveredMessages.first?.apiKey == FakeSMSPartner.defaultAPIKey)
        }
    }

    @Test("the configuration's timeout is the budget when --timeout is absent")
    func configTimeout() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "timeout: 2\n")
        try await withFake { fake in
            fake.setDefaultReply(.delay(.seconds(10), then: .accept))
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", config], env: fake.env)
            #expect(result.exitCode == 75, "\(result.summary)")
            #expect(result.elapsed < .milliseconds(3500), "took \(result.elapsed)")
        }
    }

    @Test("max_segments: 2 lets a 300-character text through uncut")
    func configMaxSegments() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "max_segments: 2\n")
        let text = String(repeating: "0123456789", count: 30)
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", text, "--config", config], env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.deliveredMessages.first?.message == text)
            #expect(result.stdout.contains("nb_sms 2"), "\(result.summary)")
        }
    }

    @Test("api_url from the configuration, overridden by SMSPARTNER_API_URL")
    func configAPIURL() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await withFake { fake in
            let direct = try dir.write("direct.yml", "api_url: \(fake.baseURL)\n")
            let first = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", direct],
                env: ["SMSPARTNER_API_KEY": FakeSMSPartner.defaultAPIKey])
            #expect(first.exitCode == 0, "\(first.summary)")

            let overridden = try dir.write("overridden.yml", "api_url: http://127.0.0.1:1/v1\n")
            let second = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", overridden], env: fake.env)
            #expect(second.exitCode == 0, "\(second.summary)")
            #expect(fake.deliveredMessages.count == 2)
        }
    }

    @Test("an unknown setting: exit 78 naming the file and the line, nothing sent")
    func invalidConfig() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "sender: ACME\nsendr: ACME\n")
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", config], env: fake.env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains("\(config):2"), "\(result.summary)")
            #expect(result.stderr.contains("sendr"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("a configuration file that does not exist: exit 78")
    func missingConfig() async throws {
        try await withFake { fake in
            let path = "/nonexistent/smspartner-notify/config.yml"
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--message", "disk full", "--config", path], env: fake.env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains(path), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    /// Without the global caps (100 an hour, 500 a day by default), which would hold most of
    /// 600 recipients for their digests.
    static let uncappedConfig = "hourly_cap: off\ndaily_cap: off\n"

    @Test("600 recipients go out as 500 + 100, each number once")
    func sixHundredRecipients() async throws {
        let numbers = (0..<600).map { "+336100" + String(format: "%05d", $0) }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", Self.uncappedConfig)
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", numbers.joined(separator: ","), "--message", "disk full", "--config", config], env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            let delivered = fake.deliveredMessages
            #expect(fake.requests.count == 2)
            #expect(delivered.map(\.numbers.count) == [500, 100])
            let all = delivered.flatMap(\.numbers)
            #expect(all.count == 600)
            #expect(Set(all) == Set(numbers))
            #expect(result.stdoutLines.count == 2)
            #expect(result.stdoutLines.allSatisfy { $0.hasPrefix("sent: ") }, "\(result.summary)")
        }
    }

    @Test("600 recipients, second request refused: exit 69, first batch sent exactly once")
    func sixHundredRecipientsPartialFailure() async throws {
        let numbers = (0..<600).map { "+336100" + String(format: "%05d", $0) }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", Self.uncappedConfig)
        try await withFake { fake in
            fake.enqueue(.accept, .error(code: 9))
            let result = try await CLI.run(
                ["send", "--to", numbers.joined(separator: ","), "--message", "disk full", "--config", config], env: fake.env)
            #expect(result.exitCode == 69, "\(result.summary)")
            #expect(fake.requests.count == 2, "\(fake.requests.map(\.reply))")
            let delivered = fake.deliveredMessages
            #expect(delivered.count == 1)
            #expect(delivered.first?.numbers == Array(numbers.prefix(500)))
            #expect(result.stderr.contains("to 100 of 600 recipients"), "\(result.summary)")
            #expect(result.stdoutLines.count == 2, "the sent batch and the refused one must be reported: \(result.summary)")
            #expect(result.stdoutLines.first?.hasPrefix("sent: 500 recipients") == true, "\(result.summary)")
            #expect(result.stdoutLines.last?.hasPrefix("failed: 100 recipients: ") == true, "\(result.summary)")
        }
    }

    /// Issue 16: 60,000 numbers from a JSON `to` were accepted and digested at 100/h for weeks.
    @Test("an input naming more numbers than max_recipients is refused whole: exit 65, nothing sent")
    func tooManyRecipientsFromTheInput() async throws {
        try await withFake { fake in
            for (count, config) in [(60_000, nil), (51, nil), (6, "max_recipients: 5\n")] as [(Int, String?)] {
                let dir = try TemporaryDirectory()
                defer { dir.remove() }
                var env = fake.env
                if let config { env["SMSPARTNER_NOTIFY_CONFIG"] = try dir.write("config.yml", config) }
                let numbers = (0..<count).map { "\"+336" + String(format: "%08d", $0) + "\"" }
                let input = #"{"summary": "disk full", "to": ["# + numbers.joined(separator: ",") + "]}"
                let result = try await CLI.run(["send", "--format", "generic"], env: env, stdin: input)
                #expect(result.exitCode == 65, "\(result.summary)")
                #expect(result.stderr.contains("names \(count) recipients, more than max_recipients"), "\(result.summary)")
                #expect(result.stdout.isEmpty, "nothing listed as skipped either: \(result.summary)")
            }
            // At the limit it goes through.
            let numbers = (0..<50).map { "\"+336" + String(format: "%08d", $0) + "\"" }
            let ok = try await CLI.run(["send", "--format", "generic"], env: fake.env,
                                       stdin: #"{"summary": "disk full", "to": ["# + numbers.joined(separator: ",") + "]}")
            #expect(ok.exitCode == 0, "\(ok.summary)")
            #expect(fake.deliveredMessages.map(\.numbers.count) == [50])
        }
    }

    @Test("an http:// API URL off loopback warns once that the key travels in clear; loopback does not")
    func cleartextAPIURLWarns() async throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        // Nothing queued: flush reads the key, contacts nobody.
        for (url, warns) in [("http://192.0.2.1:9/v1", true), ("http://127.0.0.1:9/v1", false), ("http://localhost:9/v1", false),
                             ("https://api.smspartner.fr/v1", false)] {
            let result = try await CLI.run(["flush"], env: [
                "SMSPARTNER_API_URL": url, "SMSPARTNER_API_KEY": FakeSMSPartner.defaultAPIKey, "SMSPARTNER_STATE_DIR": state.path("s"),
            ])
            #expect(result.exitCode == 0, "\(result.summary)")
            let warnings = result.stderrLines.filter { $0.contains("travels in clear text") }
            #expect(warnings.count == (warns ? 1 : 0), "\(url): \(result.summary)")
        }
    }

    @Test("duplicate recipients in any form are sent to once")
    func duplicateRecipients() async throws {
        try await withFake { fake in
            let result = try await CLI.run(
                ["send", "--to", "0600000000", "--to", "+33 6 00 00 00 00,06.00.00.00.00", "--message", "x"],
                env: fake.env)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(fake.deliveredMessages.map(\.numbers) == [["+33600000000"]])
        }
    }
}

/// Usage errors: parsed before anything is read or sent.
@Suite("usage errors")
struct UsageTests {
    @Test(
        "usage errors exit 64 with one line on stderr",
        arguments: [
            ["send", "--to", "0600000000", "--bogus", "x"],
            ["send", "--message", "disk full"],
            ["send", "--to", "0600000000", "--message", "disk full", "--timeout", "0"],
            ["send", "--to", "0600000000", "--message", "disk full", "--timeout", "soon"],
            ["send", "--to", "", "--message", "disk full"],
            ["send", "--to"],
            ["frobnicate"],
        ])
    func usageError(_ args: [String]) async throws {
        try await withFake { fake in
            let result = try await CLI.run(args, env: fake.env)
            #expect(result.exitCode == 64, "\(result.summary)")
            #expect(result.stdout.isEmpty, "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    /// README "Exit codes": 64 for "no alert at all (stdin a terminal)". `send --to` alone with a
    /// pseudo-terminal on standard input: nothing to read, so it stops at once instead of waiting.
    @Test("no alert at all (standard input a terminal): exit 64 with one line, nothing sent")
    func terminalIsNoAlert() async throws {
        try await withFake { fake in
            let result = try await CLI.run(["send", "--to", "0600000000"], env: fake.env, input: .terminal)
            #expect(result.exitCode == 64, "\(result.summary)")
            #expect(result.stderr.hasPrefix("smspartner-notify: no alert: "), "\(result.summary)")
            #expect(result.stdout.isEmpty, "\(result.summary)")
            #expect(fake.requests.isEmpty, "a terminal is no alert: nothing may be sent")
        }
    }
}
