import Foundation
import SMSPartner
import SMSPartnerTesting
import TestSupport
import Testing

/// Delivery receipts end to end: `flush` polls them, `serve` takes them pushed, `status`
/// shows them; a receipt without the token changes nothing.
@Suite("receipts: polled by flush, pushed to serve, shown by status", .timeLimit(.minutes(3)))
struct ReceiptTests {
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    static func statusDocument(stateDir: String, env: [String: String]) async throws -> [String: Any] {
        let status = try await CLI.run(["status", "--json", "--state-dir", stateDir], env: env)
        #expect(status.exitCode == 0, "\(status.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The `delivery` state of each number's latest sent decision.
    static func deliveries(_ document: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for decision in (document["latest"] as? [[String: Any]]) ?? [] where decision["state"] as? String == "sent" {
            guard let recipient = decision["recipient"] as? String, result[recipient] == nil else { continue }
            result[recipient] = decision["delivery"] as? String
        }
        return result
    }

    @Test("flush asks for the receipts that are due: delivered on stdout, not delivered as a warning on stderr")
    func flushPollsReceipts() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let state = dir.path("state")
            fake.scriptDelivery(to: Self.bob, [.notDelivered])
            let before = Date()
            let sent = try await CLI.run(["send", "--to", "\(Self.alice),\(Self.bob)", "--message", "disk full on db1", "--state-dir", state], env: fake.env)
            let after = Date()
            #expect(sent.exitCode == 0, "\(sent.stderr)")
            #expect(Self.deliveries(try await Self.statusDocument(stateDir: state, env: fake.env)) == [Self.alice: "accepted", Self.bob: "accepted"])

            // Times fixed from the send's, so that a loaded machine's delays change nothing.
            var soon = fake.env
            soon["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(before.addingTimeInterval(10).timeIntervalSince1970)
            let early = try await CLI.run(["flush", "--state-dir", state], env: soon)
            #expect(!early.stdout.contains("receipt:"), "nothing is due 10 s after sending: \(early.stdout)")

            var later = fake.env
            later["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(after.addingTimeInterval(120).timeIntervalSince1970)
            let flush = try await CLI.run(["flush", "--state-dir", state], env: later)
            #expect(flush.exitCode == 0, "\(flush.stderr)")
            #expect(flush.stdoutLines.contains { $0.hasPrefix("receipt: \(Self.alice) delivered") && $0.hasSuffix("(disk full on db1)") }, "\(flush.stdout)")
            #expect(flush.stderrLines.contains { $0.contains("warning: receipt: \(Self.bob) not_delivered") }, "\(flush.stderr)")
            #expect(Self.deliveries(try await Self.statusDocument(stateDir: state, env: fake.env)) == [Self.alice: "delivered", Self.bob: "not_delivered"])
            let text = try await CLI.run(["status", "--state-dir", state], env: later)
            #expect(text.stdout.contains("delivery: 1 delivered, 1 not_delivered, 0 expired, 0 awaiting a report"), "\(text.stdout)")
        }
    }

    @Test("serve takes pushed receipts (GET, form, JSON) on /smspartner/dlr/<token> only; a wrong token gets 403")
    func servePushedReceipts() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let token = "0123456789abcdef0123456789abcdef"
            let tokenFile = try dir.write("dlr.token", token + "\n")
            let password = try dir.write("password", "s3cret-pass")
            let port = try RawConnection.freePort()
            let config = try dir.write("config.yml", """
                serve:
                  basic_auth: {username: alertmanager, password_file: \(password)}
                receipts:
                  poll_after: [1h]
                  callback_url: http://127.0.0.1:\(port)/smspartner/dlr
                  token_file: \(tokenFile)
                """)
            let serve = try await ServeProcess(arguments: ["--to", Self.alice, "--config", config, "--listen", "127.0.0.1:\(port)"], env: fake.env)
            #expect(serve.port == port)
            let auth = ServeTests.basicAuthorization("s3cret-pass")

            fake.setCallbackDelay(.milliseconds(50))
            for (index, style) in [FakeCallbackStyle.get, .postForm, .postJSON].enumerated() {
                fake.setCallbackStyle(style)
                let reply = try await serve.post("/alertmanager", ServeTests.webhook(group: "push\(index)"), headers: [auth])
                #expect(reply.status == 200, "\(reply.bodyText)")
                #expect(await ServeProcess.eventually { fake.callbacks.count == index + 1 }, "callback \(style)")
            }
            #expect(fake.deliveredMessages.allSatisfy { $0.urlDlr == "http://127.0.0.1:\(port)/smspartner/dlr/\(token)" })
            #expect(fake.callbacks.map(\.responseStatus) == [200, 200, 200], "no Basic auth on the receipt route")
            let document = try await Self.statusDocument(stateDir: serve.stateDir, env: fake.env)
            let sent = ((document["latest"] as? [[String: Any]]) ?? []).filter { $0["state"] as? String == "sent" }
            #expect(sent.count == 3 && sent.allSatisfy { $0["delivery"] as? String == "delivered" }, "\(sent)")

            // Forged: another token, none, or the right one for an unknown message.
            let id = fake.deliveredMessages.count
            let forged = try await serve.request(.get, "/smspartner/dlr/\(String(token.reversed()))?messageId=\(id)&phoneNumber=33611111111&status=Not+delivered")
            #expect(forged.status == 403, "\(forged.bodyText)")
            let bare = try await serve.request(.get, "/smspartner/dlr/?messageId=1&status=Delivered")
            #expect([401, 403, 404].contains(bare.status), "\(bare.status) \(bare.bodyText)")
            let unknown = try await serve.request(.get, "/smspartner/dlr/\(token)?messageId=987654&phoneNumber=33611111111&status=Delivered")
            #expect(unknown.status == 200 && unknown.bodyText.contains("no such message"), "\(unknown.bodyText)")
            let unreadable = try await serve.request(.post, "/smspartner/dlr/\(token)", body: Array("{".utf8), headers: ["Content-Type: application/json"])
            #expect(unreadable.status == 400, "\(unreadable.bodyText)")
            let after = Self.deliveries(try await Self.statusDocument(stateDir: serve.stateDir, env: fake.env))
            #expect(after.values.allSatisfy { $0 == "delivered" }, "\(after)")
            #expect(!serve.stderr.contains(token), "the token is never logged")

            // How long a pushed receipt takes to be recorded: the route answers after the commit.
            var samples: [Duration] = []
            for _ in 0..<20 {
                let started = ContinuousClock.now
                let reply = try await serve.request(.get, "/smspartner/dlr/\(token)?messageId=\(id)&phoneNumber=33611111111&status=Delivered")
                samples.append(ContinuousClock.now - started)
                #expect(reply.status == 200)
            }
            samples.sort()
            print("receipt push → recorded: median \(samples[samples.count / 2]), max \(samples.last ?? .zero) over \(samples.count)")
            let metrics = try await serve.request(.get, "/metrics", headers: [auth])
            #expect(metrics.bodyText.contains(#"smspartner_receipts_total{state="delivered"} 3"#), "\(metrics.bodyText)")
            #expect(metrics.bodyText.contains("smspartner_receipt_seconds_bucket"))
            #expect(metrics.bodyText.contains(#"smspartner_receipt_callbacks_total{result="forbidden"} 1"#))
            #expect(!metrics.bodyText.contains(token))
            _ = await serve.stop()
        }
    }
}

extension ReceiptTests {
    @Test("the token is shown <redacted> by a dry-run; unreadable, send warns and sends without urlDlr, serve refuses to start")
    func theTokenStaysSecret() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let token = "fedcba9876543210fedcba9876543210"
            let tokenFile = try dir.write("dlr.token", token)
            let config = try dir.write("config.yml", """
                receipts:
                  callback_url: https://notify.example.org/smspartner/dlr
                  token_file: \(tokenFile)
                """)
            let dry = try await CLI.run(["send", "--dry-run", "--to", Self.alice, "--message", "disk full", "--config", config,
                                         "--state-dir", dir.path("state")], env: fake.env, secrets: [token])
            #expect(dry.exitCode == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains(#""urlDlr":"https://notify.example.org/smspartner/dlr/<redacted>""#), "\(dry.stdout)")

            let sent = try await CLI.run(["send", "--to", Self.alice, "--message", "disk full", "--config", config,
                                          "--state-dir", dir.path("state")], env: fake.env, secrets: [token])
            #expect(sent.exitCode == 0, "\(sent.stderr)")
            #expect(fake.deliveredMessages.last?.urlDlr == "https://notify.example.org/smspartner/dlr/\(token)")

            try "short".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let unreadable = try await CLI.run(["send", "--to", Self.bob, "--message", "disk full", "--config", config,
                                                "--state-dir", dir.path("state")], env: fake.env)
            #expect(unreadable.exitCode == 0, "a page goes without the push: \(unreadable.stderr)")
            #expect(unreadable.stderr.contains("warning: receipts are not pushed, only polled"), "\(unreadable.stderr)")
            #expect(fake.deliveredMessages.last?.urlDlr == nil)
            #expect(fake.deliveredMessages.count == 2)

            let serve = try? await ServeProcess(arguments: ["--to", Self.alice, "--config", config], env: fake.env)
            #expect(serve == nil, "serve does not start with a receipt token it cannot use")
        }
    }
}
