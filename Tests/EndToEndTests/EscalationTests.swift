import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// Escalation through the binary, on a fake clock (`SMSPARTNER_NOTIFY_FAKE_NOW`): `send` pages
/// the first step with the alert, `status` shows the step and the next time, `flush` fires step
/// 2 at its time and not before, and only once.
@Suite("escalation: steps run by flush, shown by status", .timeLimit(.minutes(2)))
struct EscalationTests {
    static let alice = "+33611111111"
    static let bob = "+33622222222"
    static let carol = "+33633333333"
    static let dave = "+33644444444"

    /// A configuration with two-way paging and the default policy: bob at once, carol `after`
    /// the first page; then the `more` policies' lines.
    static func config(in dir: TemporaryDirectory, after: String, more: String = "") throws -> String {
        try dir.write("config.yml", """
            two_way: {}
            escalation:
              policies:
                default: {steps: [{to: ["\(bob)"]}, {after: \(after), to: ["\(carol)"]}]}
            \(more)
            """)
    }

    @Test("send pages step 1, flush fires step 2 at its time (once), status shows the step; --escalation or SMSPARTNER_ESCALATION picks another policy, an unknown one is a usage error")
    func flushRunsTheSteps() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try Self.config(in: dir, after: "10m", more: "    night: {steps: [{to: [\"\(Self.dave)\"]}]}")
            let start = 1_800_000_000.0
            func env(_ seconds: Double) -> [String: String] {
                fake.env.merging(["SMSPARTNER_NOTIFY_FAKE_NOW": String(start + seconds)]) { _, new in new }
            }
            let base = ["--config", config, "--state-dir", dir.path("state")]
            func numbers() -> [String] { fake.deliveredMessages.flatMap(\.numbers) }

            let sent = try await CLI.run(["send", "--to", Self.alice, "--message", "disk full on db1"] + base, env: env(0))
            #expect(sent.exitCode == 0, "\(sent.stderr)")
            #expect(numbers().sorted() == [Self.alice, Self.bob], "the first step with the alert")
            #expect(fake.deliveredMessages.allSatisfy { $0.message?.hasPrefix("disk full on db1 ack:") == true })

            let status = try await CLI.run(["status"] + base, env: env(60))
            #expect(status.stdoutLines.contains { $0.contains(Self.alice) && $0.contains("escalation default step 1/2, next at") }, "\(status.stdout)")
            let json = try await CLI.run(["status", "--json"] + base, env: env(60))
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let escalation = (document?["pages"] as? [[String: Any]])?.first?["escalation"] as? [String: Any]
            #expect(escalation?["policy"] as? String == "default" && escalation?["step"] as? Int == 1 && escalation?["steps"] as? Int == 2)
            #expect(escalation?["next_at"] as? String != nil, "\(json.stdout)")

            let early = try await CLI.run(["flush"] + base, env: env(599))
            #expect(early.exitCode == 0 && !numbers().contains(Self.carol), "\(early.stdout)")
            let due = try await CLI.run(["flush"] + base, env: env(600))
            #expect(due.exitCode == 0, "\(due.stderr)")
            #expect(due.stdoutLines.contains { $0.hasPrefix("escalation step: ") && $0.contains(Self.carol) }, "\(due.stdout)")
            #expect(numbers().filter { $0 == Self.carol }.count == 1)
            let again = try await CLI.run(["flush"] + base, env: env(900))
            #expect(again.exitCode == 0)
            #expect(numbers().filter { $0 == Self.carol }.count == 1, "never twice")

            let unknown = try await CLI.run(["send", "--to", Self.alice, "--message", "x", "--escalation", "nope"] + base, env: env(1000))
            #expect(unknown.exitCode == 64 && unknown.stderr.contains("no escalation policy named 'nope'"), "\(unknown.stderr)")
            var named = env(1000)
            named["SMSPARTNER_ESCALATION"] = "nope"
            let unknownByEnvironment = try await CLI.run(["send", "--to", Self.alice, "--message", "x"] + base, env: named)
            #expect(unknownByEnvironment.exitCode == 64, "\(unknownByEnvironment.stderr)")
            #expect(!numbers().contains(Self.dave))

            let night = try await CLI.run(["send", "--to", Self.alice, "--message", "backup failed", "--escalation", "night"] + base, env: env(1000))
            #expect(night.exitCode == 0, "\(night.stderr)")
            #expect(numbers().filter { $0 == Self.dave }.count == 1, "the night policy's first step")
            #expect(fake.deliveredMessages.last { $0.numbers.contains(Self.dave) }?.message?.hasPrefix("backup failed ack:") == true)
            named["SMSPARTNER_ESCALATION"] = "night"
            let byEnvironment = try await CLI.run(["send", "--to", Self.alice, "--message", "disk full on db2"] + base, env: named)
            #expect(byEnvironment.exitCode == 0, "\(byEnvironment.stderr)")
            #expect(numbers().filter { $0 == Self.dave }.count == 2, "SMSPARTNER_ESCALATION names it too")
        }
    }
}

/// Escalation in the real `serve`: its worker fires step 2 by itself, and counts it.
@Suite("serve: escalation by the worker", .timeLimit(.minutes(2)))
struct ServeEscalationTests {
    @Test("a problem to POST /alert pages step 1 at once; the worker pages step 2 after 2s, once, and counts it in /metrics")
    func theWorkerFiresTheNextStep() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try EscalationTests.config(in: dir, after: "2s")
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = try dir.makeDirectory("state")
            let serve = try await ServeProcess(arguments: ["--to", EscalationTests.alice, "--config", config], env: env)
            func numbers() -> [String] { fake.deliveredMessages.flatMap(\.numbers) }
            let reply = try await serve.post("/alert", Data(#"{"host":"db1","summary":"disk full","status":"problem"}"#.utf8))
            #expect(reply.status == 200, "\(reply.bodyText)")
            #expect(await ServeProcess.eventually { Set(numbers()) == [EscalationTests.alice, EscalationTests.bob] }, "\(numbers())")
            #expect(!numbers().contains(EscalationTests.carol), "not before 2s")
            #expect(await ServeProcess.eventually(.seconds(10)) { numbers().contains(EscalationTests.carol) }, "\(serve.stderr.suffix(3000))")
            try await Task.sleep(for: .seconds(2.5))
            #expect(numbers().filter { $0 == EscalationTests.carol }.count == 1, "once")
            #expect(serve.stderr.contains("escalation: step"), "logged: \(serve.stderr.suffix(2000))")
            let metrics = try await serve.request(.get, "/metrics")
            for line in [#"smspartner_escalations_total{event="started"} 1"#, #"smspartner_escalations_total{event="step"} 1"#,
                         #"smspartner_escalations_total{event="exhausted"} 1"#] {
                #expect(metrics.bodyText.contains(line), "missing \(line) in\n\(metrics.bodyText)")
            }
            #expect(await serve.stop() == 0, "\(serve.stderr)")
        }
    }
}
