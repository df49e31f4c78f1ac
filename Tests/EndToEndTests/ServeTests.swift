import Foundation
import SMSPartner
import SMSPartnerTesting
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `serve` as a process over HTTP through libcurl: the routes, their status codes, auth,
/// the body limit, routing, SIGHUP and SIGTERM.
@Suite("serve: routes, auth, limits, shutdown", .timeLimit(.minutes(3)))
struct ServeTests {
    static let oncall = "+33611111111"

    /// A webhook (version 4) with `count` firing alerts in one group named `group`.
    static func webhook(group: String, count: Int = 1, status: String = "firing", receiver: String = "sms-oncall",
                        labels: [String: String] = [:]) -> Data {
        let alerts = (0..<count).map { index -> [String: Any] in
            var alertLabels = ["alertname": "HostDown", "instance": "\(group)-\(index).example.net:9100", "severity": "critical"]
            alertLabels.merge(labels) { _, new in new }
            return [
                "status": status, "labels": alertLabels, "annotations": ["summary": "Host \(group)-\(index) is down"],
                "startsAt": "2026-12-01T10:00:00Z", "endsAt": status == "firing" ? "0001-01-01T00:00:00Z" : "2026-12-01T10:05:00Z",
                "fingerprint": String(format: "%016x", (group + "\(index)").hashValue & 0x7FFF_FFFF_FFFF_FFFF),
                "generatorURL": "http://prometheus:9090/graph",
            ]
        }
        let payload: [String: Any] = [
            "version": "4", "groupKey": "{}:{group=\"\(group)\"}", "truncatedAlerts": 0, "status": status, "receiver": receiver,
            "groupLabels": ["group": group], "commonLabels": ["severity": "critical"], "commonAnnotations": [:],
            "externalURL": "http://alertmanager:9093", "alerts": alerts,
        ]
        return (try? JSONSerialization.data(withJSONObject: payload)) ?? Data()
    }

    static func json(_ response: SMSPartnerResponseLike) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    @Test("webhook → 200 and one SMS; the same again → 200, no SMS; malformed → 400; too big → 413; /alert; health and metrics")
    func routes() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "serve:\n  max_body_bytes: 4096\n")
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)

            let health = try await serve.request(.get, "/healthz")
            #expect(health.status == 200, "\(health.bodyText)")

            let first = try await serve.post("/alertmanager", Self.webhook(group: "db"))
            #expect(first.status == 200, "\(first.bodyText)")
            #expect(first.bodyText.contains(#""decision":"queued""#), "\(first.bodyText)")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 1 }, "the worker delivers at once")
            #expect(fake.deliveredMessages.first?.message == "FIRING HostDown db-0.example.net critical: Host db-0 is down")
            #expect(fake.deliveredMessages.first?.numbers == [Self.oncall])

            let again = try await serve.post("/alertmanager", Self.webhook(group: "db"))
            #expect(again.status == 200)
            #expect(again.bodyText.contains(#""decision":"duplicate""#), "\(again.bodyText)")

            let malformed = try await serve.post("/alertmanager", Data(#"{"alerts": [oops"#.utf8))
            #expect(malformed.status == 400, "\(malformed.bodyText)")
            let notAlertmanager = try await serve.post("/alertmanager", Data(#"{"hello": "world"}"#.utf8))
            #expect(notAlertmanager.status == 400, "\(notAlertmanager.bodyText)")
            let big = try await serve.post("/alertmanager", Self.webhook(group: "big", count: 60))
            #expect(big.status == 413, "\(big.bodyText)")

            let generic = try await serve.post("/alert", Data(#"{"host":"nas1","service":"backup","status":"problem","summary":"backup failed"}"#.utf8))
            #expect(generic.status == 200, "\(generic.bodyText)")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 2 })
            let plain = try await serve.post("/alert", Data("just text".utf8))
            #expect(plain.status == 400)

            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 2 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(fake.deliveredMessages.count == 2, "nothing else went out")

            let metrics = try await serve.request(.get, "/metrics")
            #expect(metrics.status == 200)
            for line in [
                #"smspartner_webhooks_total{route="/alertmanager",status="200"} 2"#,
                #"smspartner_webhooks_total{route="/alertmanager",status="400"} 2"#,
                #"smspartner_webhooks_total{route="/alertmanager",status="413"} 1"#,
                #"smspartner_decisions_total{decision="duplicate"} 1"#,
                "smspartner_sms_sent_total 2",
                "smspartner_outbox_depth 0.0",
            ] {
                #expect(metrics.bodyText.contains(line), "missing \(line) in\n\(metrics.bodyText)")
            }
            #expect(metrics.bodyText.contains(#"http_server_request_duration_bucket{http_route="/alertmanager""#), "the latency histogram")
            #expect(await serve.stop() == 0, "\(serve.stderr)")
            #expect(!serve.stderr.contains(FakeSMSPartner.defaultAPIKey))

            // The copy was answered from a read; its history was written by the time serve exited.
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = serve.stateDir
            let status = try await CLI.run(["status", "--json", "--latest", "0"], env: env)
            let document = (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]) ?? [:]
            let hour = (document["windows"] as? [String: Any])?["1h"] as? [String: Any]
            #expect((hour?["suppressed"] as? [String: Int])?["duplicate"] == 1, "\(status.stdout)")
        }
    }

    /// The header that authenticates as the Basic user `alertmanager` with `password`.
    static func basicAuthorization(_ password: String) -> String {
        "Authorization: Basic " + Data("alertmanager:\(password)".utf8).base64EncodedString()
    }

    /// Writes the password file (`password`, with a newline), the token file (`token`) and a
    /// `config.yml` that names both for `serve` (Basic user `alertmanager`); the configuration's path.
    @discardableResult
    static func writeCredentials(in dir: TemporaryDirectory, password: String, token: String) throws -> String {
        let passwordFile = try dir.write("password", password + "\n")
        let tokenFile = try dir.write("token", token)
        return try dir.write("config.yml", """
            serve:
              basic_auth:
                username: alertmanager
                password_file: \(passwordFile)
              bearer_token_file: \(tokenFile)
            """)
    }

    @Test("Basic and Bearer credentials from files: none or wrong → 401 with a challenge, right → 200; never logged")
    func auth() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let password = "s3cret-pass-\(UUID().uuidString.prefix(8))"
            let token = "tok-\(UUID().uuidString)"
            let config = try Self.writeCredentials(in: dir, password: password, token: token)
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let body = Self.webhook(group: "auth")
            let basic = Self.basicAuthorization(password)
            for (headers, expected) in [
                ([String](), 401), ([Self.basicAuthorization("wrong")], 401),
                (["Authorization: Bearer nope"], 401), (["Authorization: Digest x"], 401),
                ([basic], 200), (["Authorization: Bearer \(token)"], 200),
            ] {
                let response = try await serve.post("/alertmanager", body, headers: headers)
                #expect(response.status == expected, "\(headers): \(response.status) \(response.bodyText)")
            }
            let metrics = try await serve.request(.get, "/metrics")
            #expect(metrics.status == 401, "metrics need credentials too")
            let health = try await serve.request(.get, "/healthz")
            #expect(health.status == 200, "probes need none")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 1 }, "one SMS: the second accepted one is a duplicate")
            #expect(await serve.stop() == 0)
            for secret in [password, token, FakeSMSPartner.defaultAPIKey] {
                #expect(!serve.stderr.contains(secret), "a secret in the log")
            }
        }
    }

    @Test("receivers route to their numbers; a label names more only when allowed_recipients admits them; SIGHUP reloads")
    func routingAndReload() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let first = """
                receivers:
                  db-team: ["+33622222222"]
                recipient_label: sms_to
                allowed_recipients: ["+33633*"]
                """
            let config = try dir.write("config.yml", first)
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let routed = try await serve.post("/alertmanager", Self.webhook(
                group: "r1", receiver: "db-team", labels: ["sms_to": "+33633333333,+33699999999"]))
            #expect(routed.status == 200, "\(routed.bodyText)")
            #expect(routed.bodyText.contains("+33699999999 (not in allowed_recipients)"), "\(routed.bodyText)")
            let unrouted = try await serve.post("/alertmanager", Self.webhook(group: "r2", receiver: "other"))
            #expect(unrouted.status == 200)
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 2 })
            let numbers = Set(fake.deliveredMessages.map(\.numbers))
            #expect(numbers == [["+33622222222", "+33633333333"], [Self.oncall]], "\(numbers)")

            try dir.write("config.yml", first.replacingOccurrences(of: "+33622222222", with: "+33644444444"))
            kill(serve.process.processIdentifier, SIGHUP)
            #expect(await ServeProcess.eventually { serve.stderr.contains("configuration reloaded") })
            let reloaded = try await serve.post("/alertmanager", Self.webhook(group: "r3", receiver: "db-team"))
            #expect(reloaded.status == 200)
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 3 })
            #expect(fake.deliveredMessages.last?.numbers == ["+33644444444"])

            // A broken configuration is refused; the running one stays.
            try dir.write("config.yml", "receivers: [oops\n")
            kill(serve.process.processIdentifier, SIGHUP)
            #expect(await ServeProcess.eventually { serve.stderr.contains("reload failed, keeping the running configuration") })
            let still = try await serve.post("/alertmanager", Self.webhook(group: "r4", receiver: "db-team"))
            #expect(still.status == 200)
            #expect(await serve.stop() == 0)
        }
    }

    @Test("SIGTERM in the middle of a burst: every webhook answered 200 is delivered, exactly once")
    func sigtermDuringLoad() async throws {
        try await withFake { fake in
            fake.setLatency(.milliseconds(30))
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env.merging(
                ["SMSPARTNER_NOTIFY_CONFIG": try Self.uncapped()]) { _, new in new })
            let port = serve.port
            let answered = AnswerCount()
            // A request either gets an answer, or finds the port closed (refused), or was taken
            // by the kernel before the listener closed and never read (reset): Alertmanager
            // retries those. Anything else (a timeout: serve hung; another error) fails.
            let results = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for index in 0..<80 {
                    group.addTask {
                        defer { answered.increment() }
                        do {
                            let response = try await ServeProcess.request(.init(
                                method: .post, url: "http://127.0.0.1:\(port)/alertmanager", headers: ["Content-Type: application/json"],
                                body: [UInt8](Self.webhook(group: "burst\(index)")), timeout: .seconds(5)))
                            return ("burst\(index)", response.status)
                        } catch let error as HTTPTransportError {
                            switch error {
                            case .couldNotConnect, .connectionLost: return ("burst\(index)", 0)
                            case .noAnswer(let text) where !text.lowercased().contains("timed out"): return ("burst\(index)", 0)
                            default: return ("burst\(index): \(error)", -2)
                            }
                        } catch {
                            return ("burst\(index): \(error)", -2)
                        }
                    }
                }
                // SIGTERM once a third has been answered, the rest still in flight or to come.
                group.addTask {
                    _ = await ServeProcess.eventually(.seconds(20)) { answered.value >= 25 }
                    kill(serve.process.processIdentifier, SIGTERM)
                    return ("", -1)
                }
                return try await group.reduce(into: []) { $0.append($1) }.filter { $0.1 != -1 }
            }
            let status = await serve.stop(timeout: .seconds(30))
            #expect(status == 0, "\(serve.stderr)")
            let accepted = results.filter { $0.1 == 200 }.map(\.0)
            #expect(accepted.count >= 20, "\(results)")
            #expect(results.allSatisfy { [200, 0, 503].contains($0.1) }, "\(results)")
            // What the worker had no time for is in the outbox: a flush delivers it.
            let flush = try await CLI.run(["flush"], env: fake.env.merging(["SMSPARTNER_STATE_DIR": serve.stateDir]) { _, new in new })
            #expect(flush.exitCode == 0, "\(flush.summary)")
            let delivered = fake.deliveredMessages.compactMap(\.message)
            for group in accepted {
                #expect(delivered.count(where: { $0.contains("HostDown \(group)-0.") }) == 1, "\(group): \(delivered.filter { $0.contains(group) })")
            }
            #expect(delivered.count == Set(delivered).count, "duplicates: \(delivered.count) vs \(Set(delivered).count)")
        }
    }

    static func uncapped() throws -> String {
        let dir = try TemporaryDirectory()
        return try dir.write("config.yml", "rate_limits: []\nhourly_cap: off\ndaily_cap: off\n")
    }
}

typealias SMSPartnerResponseLike = SMSPartner.HTTPResponse

/// How many requests have been answered so far, shared by concurrent tasks.
final class AnswerCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
