import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// README promises of `serve` that had no test (issue 19): a generic alert's `to` and
/// `allowed_recipients`, `max_recipients` as HTTP 400, no CORS, exit 78, unknown outcomes in
/// `/metrics`, the open-files limit raised at start, and SIGHUP rereading the key and the
/// credentials. `serve` as a process, over HTTP.
@Suite("serve: README promises", .timeLimit(.minutes(3)))
struct ServePromiseTests {
    static let oncall = ServeTests.oncall

    /// Every number texted so far, each SMS's recipients flattened.
    static func texted(_ fake: FakeSMSPartner) -> [String] {
        fake.deliveredMessages.flatMap(\.numbers)
    }

    /// README "Alertmanager: `serve`", Recipients: "plus … a generic alert's `to`, only when
    /// `allowed_recipients` admits them (without it, a payload never chooses whom to text; the
    /// refused ones are listed in the reply's `skipped`)".
    @Test("POST /alert: a generic alert's to is texted only when allowed_recipients admits it; the others are in skipped")
    func genericToNeedsTheAllowlist() async throws {
        try await withFake { fake in
            let alert = Data(#"{"host":"nas1","summary":"backup failed","to":["+33622222222","+33699999999"]}"#.utf8)
            let without = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            let refused = try await without.post("/alert", alert)
            #expect(refused.status == 200, "\(refused.bodyText)")
            #expect(ServeTests.json(refused)["skipped"] as? [String] == [
                "+33622222222 (not in allowed_recipients)", "+33699999999 (not in allowed_recipients)",
            ], "\(refused.bodyText)")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 1 })
            #expect(await without.stop() == 0)
            #expect(Self.texted(fake) == [Self.oncall], "without allowed_recipients, only the operator's number")

            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "allowed_recipients: [\"+33622*\"]\n")
            let allowing = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let admitted = try await allowing.post("/alert", alert)
            #expect(admitted.status == 200, "\(admitted.bodyText)")
            #expect(ServeTests.json(admitted)["skipped"] as? [String] == ["+33699999999 (not in allowed_recipients)"], "\(admitted.bodyText)")
            #expect(await ServeProcess.eventually { Self.texted(fake).count == 3 }, "\(fake.deliveredMessages.map(\.numbers))")
            try await Task.sleep(for: .milliseconds(300))
            #expect(await allowing.stop() == 0)
            #expect(Self.texted(fake).sorted() == [Self.oncall, Self.oncall, "+33622222222"].sorted(), "\(fake.deliveredMessages.map(\.numbers))")
        }
    }

    /// README "Recipients": "An input that names more than `max_recipients` numbers (default
    /// 50) is refused whole, exit 65 (in `serve`, HTTP 400), before any is parsed".
    @Test("a payload naming more than max_recipients numbers is HTTP 400 and texts nobody; max_recipients itself goes through")
    func tooManyRecipientsIs400() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "allowed_recipients: [\"+33620*\"]\nrecipient_label: sms_to\n")
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let numbers = (0...50).map { "+336200000" + String(format: "%02d", $0) }

            let webhook = try await serve.post("/alertmanager", ServeTests.webhook(group: "many", labels: ["sms_to": numbers.joined(separator: ",")]))
            #expect(webhook.status == 400, "\(webhook.bodyText)")
            #expect(webhook.bodyText.contains("max_recipients (50)"), "\(webhook.bodyText)")
            let generic = try JSONSerialization.data(withJSONObject: ["host": "nas1", "summary": "backup failed", "to": numbers])
            let alert = try await serve.post("/alert", generic)
            #expect(alert.status == 400, "\(alert.bodyText)")
            #expect(alert.bodyText.contains("max_recipients (50)"), "\(alert.bodyText)")

            let fifty = try await serve.post("/alertmanager", ServeTests.webhook(group: "fifty", labels: ["sms_to": numbers.dropLast().joined(separator: ",")]))
            #expect(fifty.status == 200, "\(fifty.bodyText)")
            #expect(await ServeProcess.eventually { Self.texted(fake).count == 51 }, "\(Self.texted(fake).count)")
            try await Task.sleep(for: .milliseconds(300))
            #expect(await serve.stop() == 0)
            #expect(Set(Self.texted(fake)) == Set(numbers.dropLast() + [Self.oncall]), "only the accepted payload was texted")
            #expect(fake.deliveredMessages.count == 1)
        }
    }

    /// README "Web pages": `Content-Type: application/json` is what "a page cannot send without
    /// a preflight that `serve` never answers"; "`serve` sends no CORS headers". With an
    /// allowed origin and without, over a raw socket: a preflight, a post, a probe.
    @Test("serve sends no CORS headers and answers no preflight, even for an allowed origin")
    func noCORS() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "serve:\n  allowed_origins: [\"https://grafana.example.net\"]\n")
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let port = serve.port
            let webhook = Array(ServeTests.webhook(group: "cors"))
            let preflight = ["Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type"]
            let cases: [(method: String, path: String, headers: [String], body: [UInt8], expected: Int?)] = [
                ("OPTIONS", "/alertmanager", ["Origin: https://grafana.example.net"] + preflight, [], nil),
                ("OPTIONS", "/alert", ["Origin: https://grafana.example.net"] + preflight, [], nil),
                ("OPTIONS", "/alertmanager", ["Origin: https://evil.example"] + preflight, [], 403),
                ("POST", "/alertmanager", ["Origin: https://grafana.example.net", "Content-Type: application/json"], webhook, 200),
                ("POST", "/alertmanager", ["Origin: https://evil.example", "Content-Type: application/json"], webhook, 403),
                ("POST", "/alert", ["Origin: https://grafana.example.net", "Content-Type: text/plain"], Array(#"{"host":"nas1"}"#.utf8), 415),
                ("GET", "/healthz", ["Origin: https://grafana.example.net"], [], 200),
                ("GET", "/metrics", ["Origin: https://grafana.example.net"], [], 200),
            ]
            for item in cases {
                let response = try await OwnThread.run {
                    try RawConnection(port: port).request(item.method, item.path, headers: item.headers, body: item.body)
                }
                let cors = response.headers.keys.filter { $0.hasPrefix("access-control-") }
                #expect(cors.isEmpty, "\(item.method) \(item.path) \(item.headers): CORS headers \(cors)")
                if let expected = item.expected {
                    #expect(response.status == expected, "\(item.method) \(item.path) \(item.headers): \(response.status) \(response.text)")
                } else {
                    #expect(!(200..<300).contains(response.status), "a preflight answered \(response.status): \(response.text)")
                }
            }
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 1 })
            #expect(await serve.stop() == 0)
        }
    }

    enum Unusable: String, CaseIterable, CustomTestStringConvertible {
        case unknownSetting = "an unknown setting"
        case noKey = "no API key"
        case fileForStateDirectory = "a file where the state directory should be"
        case newerDatabase = "a database from a newer version"
        var testDescription: String { rawValue }
    }

    /// README "Alertmanager: `serve`", Exit: "78 for a configuration or state store it cannot
    /// use; one line on stderr says which."
    @Test("serve exits 78 with one line for a configuration or a state store it cannot use", arguments: Unusable.allCases)
    func unusableExits78(_ unusable: Unusable) async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            var env = state.env(fake)
            var arguments = ["serve", "--listen", "127.0.0.1:0", "--to", Self.oncall]
            let mentions: String
            switch unusable {
            case .unknownSetting:
                let config = try state.scratch.write("config.yml", "serve:\n  listen: 127.0.0.1:0\nretry_dealy: 1s\n")
                arguments += ["--config", config]
                mentions = "retry_dealy"
            case .noKey:
                env["SMSPARTNER_API_KEY"] = nil
                mentions = "API key"
            case .fileForStateDirectory:
                try state.scratch.write("state", "not a directory")
                mentions = "state directory \(state.dir) is unusable"
            case .newerDatabase:
                let created = try await CLI.run(["send", "--to", Self.oncall, "--message", "disk full"], env: env)
                #expect(created.exitCode == 0, "\(created.summary)")
                try ReadmePromiseTests.makeNewer(state.dir)
                mentions = "was written by a newer smspartner-notify"
            }
            let before = fake.requests.count
            let result = try await CLI.run(arguments, env: env, timeout: .seconds(30))
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains(mentions), "says which: \(result.summary)")
            #expect(!result.stdout.contains("listening on"), "\(result.summary)")
            #expect(fake.requests.count == before)
        }
    }

    /// README "Alertmanager: `serve`", Delivery: "A request that goes unanswered is recorded as
    /// unknown at once …; `/metrics` counts it under `smspartner_sms_failed_total{class="unknown"}`".
    /// The lookup is an hour away, so the outcome stays unknown.
    @Test("an unanswered request counts under smspartner_sms_failed_total{class=\"unknown\"} and is not sent again")
    func unknownOutcomeIsCounted() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "lookup_delay: 1h\n")
            fake.enqueue(.acceptThenReset)
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let response = try await serve.post("/alertmanager", ServeTests.webhook(group: "unanswered"))
            #expect(response.status == 200, "\(response.bodyText)")
            let line = #"smspartner_sms_failed_total{class="unknown"} 1"#
            var metrics = ""
            #expect(try await ServeHostileClientTests.eventually {
                metrics = try await serve.request(.get, "/metrics").bodyText
                return metrics.contains(line)
            }, "missing \(line) in\n\(metrics)")
            #expect(!metrics.contains("smspartner_sms_sent_total 1"), "\(metrics)")
            try await Task.sleep(for: .seconds(1))  // time for a wrong resend to show
            #expect(fake.requests.filter { $0.path == "/v1/send" }.count == 1, "\(fake.requests.map(\.reply))")
            #expect(await serve.stop() == 0, "\(serve.stderr)")
            #expect(serve.stderr.contains("unknown: \(Self.oncall): "), "\(serve.stderr)")
        }
    }

    /// README "Alertmanager: `serve`", Limits: "At start `serve` raises its soft open-files limit
    /// to the hard one …, and keeps the cap 64 descriptors below it …; the log's first line says
    /// the cap in force". Started at 256 soft, 512 hard: raised, the cap is 512 - 64 (not 256 - 64).
    @Test("at start serve raises its soft open-files limit to the hard one; the log's first line says the cap, 64 below it")
    func openFilesLimitIsRaised() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "prlimit (util-linux) is needed")
        try await withFake { fake in
            let serve = try await ServeProcess(
                arguments: ["--to", Self.oncall], env: fake.env, wrapper: ["/usr/bin/prlimit", "--nofile=256:512", "--"])
            let limits = try String(contentsOfFile: "/proc/\(serve.process.processIdentifier)/limits", encoding: .utf8)
            let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init)
            let fields = openFiles?.split(separator: " ").map(String.init) ?? []
            #expect(fields.count >= 5 && fields[3] == "512" && fields[4] == "512", "soft and hard limits of serve: \(openFiles ?? limits)")
            let firstLine = serve.stderr.split(separator: "\n").first.map { String($0) } ?? ""
            #expect(firstLine.contains("serving at most 448 connections"), "the log's first line: \(firstLine)\n\(serve.stderr)")
            #expect(firstLine.contains("open files 512"), "the log's first line: \(firstLine)")
            #expect(await serve.stop() == 0, "\(serve.stderr)")
        }
    }

    /// README "Alertmanager: `serve`", Signals: "SIGHUP rereads the configuration, the API key
    /// and the credentials". The fake accepts only the new key: before the SIGHUP the old one is
    /// sent (and refused), after it the new one; the old password and token get 401, the new 200.
    @Test("SIGHUP rereads the API key and the Basic and Bearer credentials: the next send uses the new key, only the new credentials get in")
    func hangupRereadsKeyAndCredentials() async throws {
        let oldKey = "old-key-\(UUID().uuidString)"
        let newKey = "new-key-\(UUID().uuidString)"
        try await withFake(apiKey: newKey) { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let (oldPassword, newPassword) = ("old-pass-\(UUID().uuidString.prefix(8))", "new-pass-\(UUID().uuidString.prefix(8))")
            let (oldToken, newToken) = ("old-tok-\(UUID().uuidString)", "new-tok-\(UUID().uuidString)")
            let keyFile = try dir.write("api-key", oldKey + "\n")
            let config = try ServeTests.writeCredentials(in: dir, password: oldPassword, token: oldToken)
            let serve = try await ServeProcess(
                arguments: ["--to", Self.oncall, "--config", config],
                env: ["SMSPARTNER_API_URL": fake.baseURL, "SMSPARTNER_API_KEY_FILE": keyFile])
            let basic = ServeTests.basicAuthorization

            let before = try await serve.post("/alertmanager", ServeTests.webhook(group: "before-hup"), headers: [basic(oldPassword)])
            #expect(before.status == 200, "\(before.bodyText)")
            #expect(await ServeProcess.eventually { !fake.sendBodies.isEmpty }, "no send before the SIGHUP\n\(serve.stderr)")
            #expect(fake.sendBodies.first?.apiKey == oldKey, "the key file's first key was not the one sent")

            try dir.write("api-key", newKey + "\n")
            try ServeTests.writeCredentials(in: dir, password: newPassword, token: newToken)
            kill(serve.process.processIdentifier, SIGHUP)
            #expect(await ServeProcess.eventually { serve.stderr.contains("configuration reloaded") }, "\(serve.stderr)")
            let sentBefore = fake.sendBodies.count

            let body = ServeTests.webhook(group: "after-hup")
            for (headers, expected) in [
                ([basic(oldPassword)], 401), (["Authorization: Bearer \(oldToken)"], 401),
                ([basic(newPassword)], 200), (["Authorization: Bearer \(newToken)"], 200),
            ] {
                let response = try await serve.post("/alertmanager", body, headers: headers)
                #expect(response.status == expected, "\(headers.first ?? "") after the SIGHUP: \(response.status) \(response.bodyText)")
            }
            #expect(
                await ServeProcess.eventually { fake.deliveredMessages.contains { $0.message?.contains("after-hup") == true } },
                "the webhook after the SIGHUP was not delivered with the new key\n\(serve.stderr)")
            let sentAfter = fake.sendBodies.dropFirst(sentBefore)
            #expect(!sentAfter.isEmpty && sentAfter.allSatisfy { $0.apiKey == newKey }, "a send after the SIGHUP used another key than the new one")
            #expect(await serve.stop() == 0, "\(serve.stderr)")
            for secret in [oldKey, newKey, oldPassword, newPassword, oldToken, newToken] {
                #expect(!serve.stderr.contains(secret), "a secret in the log")
            }
        }
    }

    /// README "Limits": "The `max_connections` in force is the one read at start; the timeouts
    /// are read again on SIGHUP (for new connections)."
    @Test("SIGHUP rereads the timeouts for new connections; max_connections stays the one read at start")
    func hangupRereadsTimeoutsNotTheCap() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "serve:\n  idle_timeout: 60s\n  max_connections: 100\n")
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let port = serve.port
            func reloads() -> Int { serve.stderr.components(separatedBy: "configuration reloaded").count - 1 }

            // A cap of 10 read on SIGHUP would close the oldest of 20 idle connections.
            try dir.write("config.yml", "serve:\n  idle_timeout: 60s\n  max_connections: 10\n")
            kill(serve.process.processIdentifier, SIGHUP)
            #expect(await ServeProcess.eventually { reloads() == 1 }, "\(serve.stderr)")
            let idle = try await OwnThread.run { try (0..<20).map { _ in try RawConnection(port: port) } }
            defer { idle.forEach { $0.close() } }
            #expect(try await serve.request(.get, "/healthz").status == 200)
            let open = idle.filter { $0.isOpenAndSilent() }.count
            #expect(open == 20, "\(20 - open) idle connection(s) closed: the cap changed on SIGHUP")

            // The idle_timeout read on SIGHUP applies to a connection made after it, not before.
            try dir.write("config.yml", "serve:\n  idle_timeout: 1s\n  max_connections: 10\n")
            kill(serve.process.processIdentifier, SIGHUP)
            #expect(await ServeProcess.eventually { reloads() == 2 }, "\(serve.stderr)")
            // RawConnection gives up waiting after 20 s: only the new 1 s closes it in time.
            let closed = try await OwnThread.run { try RawConnection(port: port).closedByPeer() }
            #expect(closed, "a connection made after the SIGHUP was not closed after the new idle_timeout")
            #expect(idle[0].isOpenAndSilent(), "a connection from before the SIGHUP lost the idle_timeout it began with")
            #expect(await serve.stop() == 0, "\(serve.stderr)")
        }
    }
}
