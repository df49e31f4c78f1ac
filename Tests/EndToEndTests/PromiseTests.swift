import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// README promises that had no test: `flush`'s exit codes, the exit code when recipients fare
/// differently, `allowed_recipients`, `--dedup-key`, `--state-dir`, `daily_cap`, `templates:`
/// and the ranges of `lookup_delay` and `max_recipients`. The built binary against the fake.
@Suite("README promises without a test before", .timeLimit(.minutes(3)))
struct PromiseTests {
    static let recipient = "+33600000000"

    /// The `send` of a Nagios service alert, as in `SendTests`.
    static func serviceAlert(_ host: String) -> [String] {
        ["send", "--to", recipient, "--notification-type", "PROBLEM", "--host", host, "--service", "HTTP",
         "--service-state", "CRITICAL", "--output", "Connection refused"]
    }

    // MARK: - flush exit codes

    enum FlushFate: String, CaseIterable, CustomStringConvertible {
        case stillDown, refused, noCredits, keyRefused
        var description: String { rawValue }
    }

    /// README "The outbox": `flush` exits "75 when SMSPartner still fails (retried on the next
    /// run), 69/78 as for `send`".
    @Test("flush exits 75 when SMSPartner still fails (still queued), 69 and 78 as send does", arguments: FlushFate.allCases)
    func flushExitCodes(_ fate: FlushFate) async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            fake.setDefaultReply(.http(status: 503, body: "<html>Service Unavailable</html>"))
            let queued = try await CLI.run(Self.serviceAlert("web01") + ["--timeout", "2"], env: state.env(fake))
            #expect(queued.exitCode == 75, "\(queued.summary)")
            #expect(queued.stdout.hasPrefix("queued: \(Self.recipient): "), "\(queued.summary)")

            var env = state.env(fake, now: Date().addingTimeInterval(120))
            let expected: Int32
            let said: String
            switch fate {
            case .stillDown: expected = 75; said = "HTTP 503"
            case .refused: fake.enqueue(.error(code: 9)); expected = 69; said = "code 9"
            case .noCredits: fake.enqueue(.error(code: 11)); expected = 69; said = "code 11"
            case .keyRefused: env["SMSPARTNER_API_KEY"] = "wrong-key-0123456789abcdef"; expected = 78; said = "code 10"
            }
            if fate != .stillDown { fake.setDefaultReply(.accept) }
            let before = fake.requests.count
            let flush = try await CLI.run(["flush", "--timeout", "2"], env: env, secrets: ["wrong-key-0123456789abcdef"])
            #expect(flush.exitCode == expected, "\(flush.summary)")
            #expect(flush.stderr.contains(said), "\(flush.summary)")
            #expect(fake.requests.count > before, "flush made no request: \(flush.summary)")
            #expect(fake.deliveredMessages.isEmpty)
            if fate == .stillDown {
                let outbox = try await state.status(fake)["outbox"] as? [String: Any]
                #expect(outbox?["queued"] as? Int == 1, "retried on the next run: \(String(describing: outbox))")
            }
        }
    }

    // MARK: - Exit code when recipients fare differently

    struct Mixed: Sendable, CustomTestStringConvertible {
        var name: String
        /// The reply to the first request (500 numbers); the second (100 numbers) gets `second`.
        var first: FakeReply
        var second: FakeReply
        var exitCode: Int32
        /// What the one stderr line names: the most serious failure.
        var stderr: String
        /// The outcomes stdout reports (`failed`, `queued`, `unknown`).
        var stdout: Set<String>
        var testDescription: String { name }
    }

    static let mixed: [Mixed] = [
        Mixed(name: "refused, then configuration (key wrong)", first: .error(code: 9), second: .error(code: 10),
              exitCode: 78, stderr: "code 10", stdout: ["failed"]),
        Mixed(name: "refused, then account (no credits)", first: .error(code: 9), second: .error(code: 11),
              exitCode: 69, stderr: "code 11", stdout: ["failed"]),
        Mixed(name: "refused, then queued (HTTP 500)", first: .error(code: 9), second: .http(status: 500, body: "<html>oops</html>"),
              exitCode: 69, stderr: "code 9", stdout: ["failed", "queued"]),
        Mixed(name: "unknown (no answer), then queued (HTTP 500)", first: .dropConnection, second: .http(status: 500, body: "<html>oops</html>"),
              exitCode: 75, stderr: "not confirmed", stdout: ["unknown", "queued"]),
    ]

    /// README "Exit codes": "when recipients fare differently, the exit code is the most serious
    /// failure's (configuration, then account, then refused, then unknown, then queued)".
    /// 600 recipients go out as two requests (500 + 100), each given its own fate.
    @Test("when recipients fare differently, the exit code is the most serious failure's", arguments: mixed)
    func mixedFates(_ mixed: Mixed) async throws {
        let numbers = (0..<600).map { "+336100" + String(format: "%05d", $0) }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", InputTests.uncappedConfig)
        try await withFake { fake in
            fake.enqueue(mixed.first)
            fake.setDefaultReply(mixed.second)
            let result = try await CLI.run(
                ["send", "--to", numbers.joined(separator: ","), "--message", "disk full", "--config", config, "--timeout", "4"],
                env: fake.env)
            #expect(result.exitCode == mixed.exitCode, "\(result.summary)")
            #expect(result.stderr.contains(mixed.stderr), "\(result.summary)")
            #expect(fake.deliveredMessages.isEmpty)
            #expect(Set(fake.sendBodies.map(\.numbers.count)) == [500, 100], "both requests were made: \(fake.requests.map(\.reply))")
            // Per recipient, stdout says what happened (failed:, queued:, unknown:).
            let said = Set(result.stdoutLines.compactMap { $0.split(separator: ":").first.map(String.init) })
            #expect(said == mixed.stdout, "\(result.summary)")
        }
    }

    // MARK: - allowed_recipients

    /// `send` with `allowed_recipients: ["+33633*"]`, against a fake: the result, the numbers of
    /// each SMS delivered, and how many requests were made.
    static func withAllowlist(_ arguments: [String], stdin: String? = nil) async throws -> (CLIResult, [[String]], Int) {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "allowed_recipients: [\"+33633*\"]\n")
        return try await withFake { fake in
            let result = try await CLI.run(["send", "--config", config] + arguments, env: fake.env, stdin: stdin)
            return (result, fake.deliveredMessages.map(\.numbers), fake.requests.count)
        }
    }

    /// README "Recipients": the input's numbers must match `allowed_recipients`; a refused one is
    /// skipped (`skipped: …`) and the others still get the SMS.
    @Test("allowed_recipients: a number the input names outside it is skipped, the others still get the SMS")
    func allowedRecipientsSkips() async throws {
        let (result, delivered, _) = try await Self.withAllowlist(
            ["--format", "generic"], stdin: #"{"summary": "disk full", "to": ["+33633333333", "+33699999999"]}"#)
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdoutLines.contains("skipped: +33699999999 (not in allowed_recipients)"), "\(result.summary)")
        #expect(delivered == [["+33633333333"]])
    }

    /// README "Recipients": "Nobody left is exit 65"; "Exit codes": 65 for "no valid and allowed
    /// recipient in the input".
    @Test("allowed_recipients: when no number of the input is allowed, exit 65 and nothing is sent")
    func allowedRecipientsNobodyLeft() async throws {
        let (result, _, requests) = try await Self.withAllowlist(
            ["--format", "generic"], stdin: #"{"summary": "disk full", "to": ["+33699999999", "+33688888888"]}"#)
        #expect(result.exitCode == 65, "\(result.summary)")
        #expect(result.stderr.contains("not in allowed_recipients"), "\(result.summary)")
        #expect(requests == 0)
    }

    /// README "Recipients": "`--to` … always wins and is not checked against any list."
    @Test("allowed_recipients does not apply to --to: the operator's number is sent")
    func allowedRecipientsIgnoresTo() async throws {
        let (result, delivered, _) = try await Self.withAllowlist(["--to", "+33699999999", "--message", "disk full"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(delivered == [["+33699999999"]])
    }

    // MARK: - --dedup-key

    /// README "`send`": "`--dedup-key` replaces the key the input gives"; "Deduplication": the
    /// same key and status within `dedup_window` is suppressed.
    @Test("--dedup-key: another text under the same key is a duplicate; the same text under another key is sent")
    func dedupKey() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let send = { (text: String, key: String) in
                try await CLI.run(["send", "--to", Self.recipient, "--message", text, "--dedup-key", key], env: state.env(fake))
            }
            let first = try await send("disk 91% on db1", "db1-disk")
            #expect(first.exitCode == 0, "\(first.summary)")
            let second = try await send("disk 97% on db1", "db1-disk")
            #expect(second.exitCode == 0, "\(second.summary)")
            #expect(second.stdoutLines.count == 1 && second.stdout.hasPrefix("suppressed: \(Self.recipient): duplicate of #1, sent at "),
                    "\(second.summary)")
            let third = try await send("disk 97% on db1", "db1-disk-again")
            #expect(third.exitCode == 0, "\(third.summary)")
            #expect(third.stdout.hasPrefix("sent: \(Self.recipient) "), "\(third.summary)")
            #expect(fake.deliveredMessages.compactMap(\.message) == ["disk 91% on db1", "disk 97% on db1"])
        }
    }

    // MARK: - --state-dir

    /// README "the shared state": "`--state-dir`, else `SMSPARTNER_STATE_DIR`, else the
    /// configuration's `state_dir`".
    @Test("--state-dir: the store is in that directory, over SMSPARTNER_STATE_DIR and state_dir")
    func stateDirFlag() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let flagDir = dir.path("flag"), envDir = dir.path("env"), configDir = dir.path("config")
        let config = try dir.write("config.yml", "state_dir: \(configDir)\n")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = envDir
            env["SMSPARTNER_NOTIFY_CONFIG"] = config
            let alert = Self.serviceAlert("web01") + ["--state-dir", flagDir]
            let sent = try await CLI.run(alert, env: env)
            #expect(sent.exitCode == 0, "\(sent.summary)")
            #expect(FileManager.default.fileExists(atPath: flagDir + "/state.db"))
            #expect(!FileManager.default.fileExists(atPath: envDir), "SMSPARTNER_STATE_DIR was used")
            #expect(!FileManager.default.fileExists(atPath: configDir), "state_dir was used")
            // The same store decides the next one: a duplicate.
            let again = try await CLI.run(alert, env: env)
            #expect(again.exitCode == 0, "\(again.summary)")
            #expect(again.stdout.hasPrefix("suppressed: \(Self.recipient): duplicate of #1, "), "\(again.summary)")
            #expect(fake.deliveredMessages.count == 1)
            let status = try await CLI.run(["status", "--json", "--state-dir", flagDir], env: env)
            #expect(status.exitCode == 0, "\(status.summary)")
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            let hour = (json?["windows"] as? [String: Any])?["1h"] as? [String: Any]
            #expect(hour?["sent"] as? Int == 1, "\(status.summary)")
        }
    }

    // MARK: - daily_cap

    /// README "Rate limits and digests": the global `daily_cap` (SMS to anyone per 24 h) must
    /// have room; an alert over it is held (exit 0, `held: …; it goes into the next digest`),
    /// and the digest goes out once the window reopens.
    @Test("daily_cap: past N SMS to anyone in 24 h an alert is held for the digest, which goes out when the day has passed")
    func dailyCap() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let config = try state.scratch.write("config.yml", "rate_limits: []\nhourly_cap: off\ndaily_cap: 2\n")
        let start = Date()
        try await withFake { fake in
            let send = { (number: String, text: String, at: Date) in
                try await CLI.run(["send", "--to", number, "--message", text],
                                  env: state.env(fake, now: at, extra: ["SMSPARTNER_NOTIFY_CONFIG": config]))
            }
            for (index, number) in ["+33600000001", "+33600000002"].enumerated() {
                let sent = try await send(number, "disk full on db\(index)", start)
                #expect(sent.exitCode == 0, "\(sent.summary)")
                #expect(sent.stdout.hasPrefix("sent: \(number) "), "\(sent.summary)")
            }
            let held = try await send("+33600000003", "disk full on db3", start.addingTimeInterval(60))
            #expect(held.exitCode == 0, "held is not a failure: \(held.summary)")
            #expect(held.stdoutLines.count == 1, "\(held.summary)")
            #expect(held.stdout.hasPrefix("held: +33600000003: over the daily cap"), "\(held.summary)")
            #expect(held.stdout.hasSuffix("; it goes into the next digest\n"), "\(held.summary)")
            let stillHeld = try await send("+33600000004", "disk full on db4", start.addingTimeInterval(23 * 3600))
            #expect(stillHeld.stdout.hasPrefix("held: +33600000004: over the daily cap"), "\(stillHeld.summary)")
            #expect(fake.deliveredMessages.count == 2)

            let flush = try await CLI.run(["flush"], env: state.env(fake, now: start.addingTimeInterval(24 * 3600 + 120),
                                                                    extra: ["SMSPARTNER_NOTIFY_CONFIG": config]))
            #expect(flush.exitCode == 0, "\(flush.summary)")
            let digests = fake.deliveredMessages.dropFirst(2)
            #expect(digests.map(\.numbers).sorted { $0[0] < $1[0] } == [["+33600000003"], ["+33600000004"]], "\(flush.summary)")
            #expect(digests.allSatisfy { $0.message?.hasPrefix("+1 suppressed since ") == true }, "\(digests.map(\.message))")
        }
    }

    // MARK: - templates

    /// README "The SMS text": templates under `templates:` by name, most specific first.
    @Test("templates: in the configuration change the SMS text, the most specific name first")
    func templates() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", """
            templates:
              nagios-service-problem: "{{type}} on {{host}}: {{service}} is {{state}} ({{output}})"
              problem: "any problem {{target}}"
              default: "ALERT {{summary}}"
            """)
        try await withFake { fake in
            let service = try await CLI.run(Self.serviceAlert("web01") + ["--config", config], env: fake.env)
            #expect(service.exitCode == 0, "\(service.summary)")
            let text = try await CLI.run(["send", "--to", Self.recipient, "--format", "generic", "--config", config],
                                         env: fake.env, stdin: "disk full on db1\n")
            #expect(text.exitCode == 0, "\(text.summary)")
            #expect(fake.deliveredMessages.compactMap(\.message) == [
                "PROBLEM on web01: HTTP is CRITICAL (Connection refused)", "ALERT disk full on db1",
            ])
        }
    }

    /// README "The SMS text": "A template that does not parse, or an unknown name, is a
    /// configuration error (exit 78) when the file is read."
    @Test(
        "a template that does not parse, or an unknown template name, is exit 78 with one line; nothing is sent",
        arguments: [
            ("nagios-service-problem", "{{#host}}{{host}}"),
            ("nagios-service-problem", "{{type}} {{host"),
            ("nagois-service-problem", "{{type}} {{host}}"),
        ])
    func brokenTemplate(name: String, template: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "templates:\n  \(name): \"\(template)\"\n")
        try await withFake { fake in
            let result = try await CLI.run(Self.serviceAlert("web01") + ["--config", config], env: fake.env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains(config), "names the file: \(result.summary)")
            #expect(result.stderr.contains(name), "names the template: \(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    // MARK: - Ranges

    /// README "Configuration": `lookup_delay` "(1s-1h)", `max_recipients` "(1-10000)".
    @Test(
        "lookup_delay (1s-1h) and max_recipients (1-10000): out of range is exit 78, the bounds are accepted",
        arguments: [
            ("lookup_delay", "0s", false), ("lookup_delay", "1s", true), ("lookup_delay", "1h", true),
            ("lookup_delay", "3601s", false), ("lookup_delay", "2h", false),
            ("max_recipients", "0", false), ("max_recipients", "1", true), ("max_recipients", "10000", true),
            ("max_recipients", "10001", false),
        ])
    func ranges(key: String, value: String, accepted: Bool) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try dir.write("config.yml", "\(key): \(value)\n")
        try await withFake { fake in
            let result = try await CLI.run(["send", "--to", Self.recipient, "--message", "disk full", "--config", config], env: fake.env)
            if accepted {
                #expect(result.exitCode == 0, "\(result.summary)")
                #expect(fake.deliveredMessages.count == 1)
            } else {
                #expect(result.exitCode == 78, "\(result.summary)")
                #expect(result.stderr.contains(key), "names the setting: \(result.summary)")
                #expect(fake.requests.isEmpty)
            }
        }
    }
}
