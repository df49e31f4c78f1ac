import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// README promises of `serve` about signals and crashes, and of every command about TLS, that
/// had no test: SIGINT, `kill -9`, an SMSPartner whose certificate is not trusted.
@Suite("serve: SIGINT and kill -9; TLS verification", .timeLimit(.minutes(3)))
struct ServeSignalTests {
    static let oncall = "+33611111111"

    /// README "serve", "Signals": "SIGTERM/SIGINT stop accepting connections, answer the
    /// requests in flight, let the worker record the delivery in hand, and exit 0".
    @Test("SIGINT stops serve like SIGTERM: what got a 200 is delivered, exit 0")
    func sigint() async throws {
        try await withFake { fake in
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            let response = try await serve.post("/alertmanager", ServeTests.webhook(group: "int"))
            #expect(response.status == 200, "\(response.bodyText)")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 1 }, "\(serve.stderr)")
            let status = await serve.stop(SIGINT)
            #expect(status == 0, "\(serve.stderr)")
            #expect(serve.stderr.contains("outbox worker stopped"), "a graceful stop, not a kill: \(serve.stderr)")
        }
    }

    /// README "serve", "Signals": "nothing that got a 200 is lost (what is still queued goes
    /// out with the next `serve` or `flush`)"; "Unknown outcomes": a claim of a process that
    /// died comes back unknown once its lease has run out, and is asked about before any resend.
    @Test("kill -9 of serve: every webhook answered 200 is delivered by the next flush, exactly once")
    func killNine() async throws {
        try await withFake { fake in
            // SMSPartner failing: what serve accepts stays queued in the outbox.
            fake.setDefaultReply(.http(status: 503, body: "maintenance"))
            let serve = try await ServeProcess(
                arguments: ["--to", Self.oncall],
                env: fake.env.merging(["SMSPARTNER_NOTIFY_CONFIG": try ServeTests.uncapped()]) { _, new in new })
            let groups = (0..<8).map { "crash\($0)" }
            for group in groups {
                let response = try await serve.post("/alertmanager", ServeTests.webhook(group: group))
                #expect(response.status == 200, "\(response.bodyText)")
            }
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.requests.count >= 1 }, "the worker tried: \(serve.stderr)")
            kill(serve.process.processIdentifier, SIGKILL)
            serve.process.waitUntilExit()
            #expect(serve.process.terminationReason == .uncaughtSignal)

            // Later (past any lease of the dead process), SMSPartner back: one flush sends it all.
            fake.setDefaultReply(.accept)
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = serve.stateDir
            env["SMSPARTNER_NOTIFY_CONFIG"] = try ServeTests.uncapped()
            env["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(Date().addingTimeInterval(300).timeIntervalSince1970)
            let flush = try await CLI.run(["flush"], env: env)
            #expect(flush.exitCode == 0, "\(flush.summary)")
            let delivered = fake.deliveredMessages.compactMap(\.message)
            for group in groups {
                #expect(delivered.count(where: { $0.contains("HostDown \(group)-0.") }) == 1, "\(group): \(delivered)")
            }
            #expect(delivered.count == groups.count, "\(delivered)")
            let again = try await CLI.run(["flush"], env: env)
            #expect(again.exitCode == 0, "\(again.summary)")
            #expect(fake.deliveredMessages.count == groups.count, "a second flush sends nothing")
        }
    }

    /// README "Secrets and TLS": "TLS verification stays on": an SMSPartner (or a machine in
    /// the middle) whose certificate the system does not trust gets no request. No request was
    /// made, so it is a transient failure like any connection that fails: queued, exit 75.
    @Test("an SMSPartner whose certificate is not trusted gets no request: exit 75, queued, the line names TLS")
    func untrustedCertificate() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let certificate = dir.path("cert.pem"), key = dir.path("key.pem")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "apt-get install openssl (CI installs it)")
        let made = try await runTool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ], output: dir.path("req.log"))
        try #require(made.status == 0, "openssl req: \(made.output)")
        let port = try RawConnection.freePort()
        let server = try ChildDaemon.spawn(
            "/usr/bin/openssl", arguments: ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet"],
            environment: ["PATH": "/usr/bin:/bin"], output: dir.path("s_server.log"))
        defer { server.stop() }
        // Listening: a plain TCP connection goes through.
        #expect(await ServeProcess.eventually(.seconds(10)) { RawConnection.accepts(port: port) }, "openssl s_server did not listen")

        var env = ["SMSPARTNER_API_URL": "https://127.0.0.1:\(port)", "SMSPARTNER_API_KEY": FakeSMSPartner.defaultAPIKey]
        env["SMSPARTNER_STATE_DIR"] = dir.path("state")
        let result = try await CLI.run(["send", "--to", Self.oncall, "--message", "disk full", "--timeout", "3"], env: env)
        #expect(result.exitCode == 75, "\(result.summary)")
        #expect(result.stdout.hasPrefix("queued: \(Self.oncall): "), "\(result.summary)")
        #expect(result.stderr.lowercased().contains("certificate") || result.stderr.contains("TLS"), "\(result.summary)")
        let log = (try? String(contentsOfFile: dir.path("s_server.log"), encoding: .utf8)) ?? ""
        #expect(!log.contains("POST /v1/send"), "a request reached the server: \(log)")
    }
}
