import Foundation
import NotifyCore
import SMSPartnerTesting
import TestSupport
import Testing

// Two-way paging end to end (issue 21): `serve`'s /smspartner/reply/<token> route, called by the
// fake SMSPartner as SMSPartner calls a reply URL (both shapes, a long reply in parts), and the
// acknowledgement it makes at the real sources: a silence in a real Alertmanager, an
// acknowledgement in a real Nagios 4 (through its external command file) and in a real Icinga 2
// (through its API). The time from the fake posting the reply to the acknowledgement showing at
// the source is printed as `reply-to-ack latency <source>: N ms` (measured, not held to a bound).

/// What the two-way tests share.
enum Replies {
    static let alice = "+33611111111"
    static let stranger = "+33699999999"

    /// A token of 32 URL-safe characters.
    static func newToken() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// The reply code an alert SMS ends with (` ack:4F`); nil when it has none.
    static func code(_ message: String?) -> String? {
        guard let message, let range = message.range(of: " ack:", options: .backwards) else { return nil }
        let code = String(message[range.upperBound...])
        return code.count == 2 ? code : nil
    }

    /// `status --json`'s open pages.
    static func pages(stateDir: String, env: [String: String]) async throws -> [[String: Any]] {
        (try await ReceiptTests.statusDocument(stateDir: stateDir, env: env)["pages"] as? [[String: Any]]) ?? []
    }

    /// The open page with `code` (the first, for a code sent to several numbers).
    static func page(_ code: String, stateDir: String, env: [String: String]) async throws -> [String: Any]? {
        try await pages(stateDir: stateDir, env: env).first { $0["code"] as? String == code }
    }

    /// `status --json`'s latest decisions.
    static func decisions(stateDir: String, env: [String: String]) async throws -> [[String: Any]] {
        (try await ReceiptTests.statusDocument(stateDir: stateDir, env: env)["latest"] as? [[String: Any]]) ?? []
    }

    /// The SMS texts delivered to `number`, in order.
    static func texts(to number: String, _ fake: FakeSMSPartner) -> [String] {
        fake.deliveredMessages.filter { $0.numbers == [number] }.compactMap(\.message)
    }

    /// Polls `condition` every 20 ms for at most `limit`; how long it took, nil if it never held.
    static func timeUntil(_ limit: Duration, since start: ContinuousClock.Instant, _ condition: () async throws -> Bool) async rethrows -> Duration? {
        while ContinuousClock.now - start < limit {
            if try await condition() { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition() ? ContinuousClock.now - start : nil
    }

    static func printLatency(_ source: String, _ latency: Duration) {
        print("reply-to-ack latency \(source): \(Icinga2AcknowledgerDaemonTests.milliseconds(latency)) ms")
    }
}

/// The reply route of `serve` with the fake SMSPartner, no source behind the alerts (generic
/// alerts are acknowledged here only).
@Suite("two-way paging: serve's reply route, called as SMSPartner calls it", .timeLimit(.minutes(2)))
struct TwoWayReplyRouteTests {
    @Test("forged token 403, strangers ignored, a reply in parts, a repeated callback, HELP once, STOP unanswered; both shapes")
    func replyRoute() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let token = Replies.newToken()
            let tokenFile = try dir.write("reply.token", token + "\n")
            let port = try RawConnection.freePort()
            let config = try dir.write("config.yml", """
                two_way:
                  token_file: \(tokenFile)
                  callback_url: http://127.0.0.1:\(port)/smspartner/reply
                  on_call: {"\(Replies.alice)": alice}
                """)
            let serve = try await ServeProcess(arguments: ["--to", Replies.alice, "--config", config, "--listen", "127.0.0.1:\(port)"], env: fake.env)
            let state = serve.stateDir
            for text in ["disk full on db1", "load high on web2"] {
                let sent = try await CLI.run(["send", "--to", Replies.alice, "--message", text, "--config", config, "--state-dir", state], env: fake.env)
                #expect(sent.exitCode == 0, "\(sent.summary)")
            }
            let alerts = fake.deliveredMessages
            try #require(alerts.count == 2, "\(alerts)")
            let url = try #require(alerts[0].urlResponse)
            #expect(url == "http://127.0.0.1:\(port)/smspartner/reply/\(token)")
            let disk = try #require(Replies.code(alerts[0].message), "\(alerts[0])")
            let load = try #require(Replies.code(alerts[1].message), "\(alerts[1])")
            #expect(disk != load)
            var calls = 0
            /// Makes a reply and waits for its `requests` calls to be answered; their statuses.
            func reply(_ text: String, from number: String = Replies.alice, to target: String = url, shape: FakeReplyShape,
                       messageID: String? = nil, requests: Int = 1) async -> [Int?] {
                fake.reply(from: number, text: text, to: target, shape: shape, messageID: messageID)
                calls += requests
                #expect(await fake.waitForReplies(count: calls, timeout: .seconds(10)), "\(fake.replies)")
                return fake.replies.suffix(requests).map(\.responseStatus)
            }
            func expectNoNewSMS(after count: Int, _ why: String) async throws {
                try await Task.sleep(for: .milliseconds(2500))
                #expect(fake.deliveredMessages.count == count, "\(why): \(fake.deliveredMessages.compactMap(\.message))\n\(serve.stderr)")
            }

            // A forged token: 403, nothing recorded or answered. A stranger: 200, never answered.
            #expect(await reply("ACK \(disk)", to: serve.baseURL + "/smspartner/reply/" + Replies.newToken(), shape: .shortNumberJSON) == [403])
            #expect(await reply("ACK \(disk)", from: Replies.stranger, shape: .shortNumberJSON) == [200])
            #expect(await reply("ACK \(load)", from: Replies.stranger, shape: .longNumberForm) == [200])
            try await expectNoNewSMS(after: 2, "no answer to a forged callback or a stranger")
            var pages = try await Replies.pages(stateDir: state, env: fake.env)
            #expect(pages.count == 2 && pages.allSatisfy { $0["acked_at"] == nil }, "\(pages)")

            // A long reply in three parts (long number): acted on once, when the last came. Its
            // later parts alone would read as nothing (answered with the help text).
            let comment = "rebooting the database host now, the replica takes over; will report back on the incident channel"
            #expect(await reply("ACK \(load) \(comment)", shape: .longNumberConcat(parts: 3), requests: 3) == [200, 200, 200])
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 3 }, "\(serve.stderr)")
            let answer = fake.deliveredMessages.last
            #expect(answer?.numbers == [Replies.alice])
            #expect(answer?.message?.hasPrefix("ACK OK ") == true && answer?.message?.hasSuffix(": acknowledged here (its source has no API)") == true,
                    "\(answer?.message ?? "")")
            try await expectNoNewSMS(after: 3, "the parts were acted on once, as one reply")
            #expect(try await Replies.page(load, stateDir: state, env: fake.env)?["acked_by"] as? String == "alice")
            let open = try #require(try await Replies.page(disk, stateDir: state, env: fake.env))
            #expect(open["acked_at"] == nil, "only the alert its code names: \(open)")

            // The same callback twice (short number, same message id and text): acted on once.
            #expect(await reply("ACK \(disk)", shape: .shortNumberJSON, messageID: "9001") == [200])
            #expect(await reply("ACK \(disk)", shape: .shortNumberJSON, messageID: "9001") == [200])
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 4 }, "\(serve.stderr)")
            #expect(fake.deliveredMessages.last?.message?.hasPrefix("ACK OK ") == true, "\(fake.deliveredMessages.last?.message ?? "")")
            try await expectNoNewSMS(after: 4, "a repeated callback is one reply (else: 'acked already by alice')")
            pages = try await Replies.pages(stateDir: state, env: fake.env)
            #expect(pages.count == 2 && pages.allSatisfy { $0["acked_by"] as? String == "alice" }, "\(pages)")

            // HELP (long number, GET): answered; again within the dedup window: not.
            #expect(await reply("HELP", shape: .longNumberGET) == [200])
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 5 }, "\(serve.stderr)")
            #expect(fake.deliveredMessages.last?.message == ReplyText.help)
            #expect(fake.deliveredMessages.last?.numbers == [Replies.alice])
            #expect(await reply("HELP", shape: .longNumberForm) == [200])
            // STOP: recorded (logged), never answered.
            #expect(await reply("STOP", shape: .longNumberForm) == [200])
            #expect(await ServeProcess.eventually { serve.stderr.contains("SMS reply STOP recorded") }, "\(serve.stderr)")
            try await expectNoNewSMS(after: 5, "HELP is answered once per dedup window, STOP never")
            let metrics = try await serve.request(.get, "/metrics")
            for line in [#"result="forbidden"} 1"#, #"result="ignored"} 2"#, #"result="partial"} 2"#, #"result="repeated"} 1"#, #"result="stop"} 1"#] {
                #expect(metrics.bodyText.contains("smspartner_reply_callbacks_total{" + line), "\(line)\n\(metrics.bodyText)")
            }
            #expect(!serve.stderr.contains(token), "the token is never logged")
            #expect(await serve.stop() == 0)

            // Without two_way.token_file, the route is not there.
            let bare = try dir.write("bare.yml", "two_way:\n  on_call: {\"\(Replies.alice)\": alice}\n")
            let without = try await ServeProcess(arguments: ["--to", Replies.alice, "--config", bare], env: fake.env)
            #expect(await reply("ACK", to: without.baseURL + "/smspartner/reply/" + token, shape: .shortNumberJSON) == [404])
            #expect(await without.stop() == 0)
            #expect(fake.deliveredMessages.count == 5)
        }
    }
}

/// A reply silences the alert in a real Alertmanager (see AlertmanagerTests), whose webhook
/// is `serve`; the silenced alert's recovery is then seen by `serve` (SilenceWatch).
@Suite(
    "two-way paging: a reply silences the alert in a real Alertmanager",
    .disabled(if: AlertmanagerProcess.skipRequested, "SMSPARTNER_SKIP_ALERTMANAGER=1"),
    .timeLimit(.minutes(3)))
struct TwoWayAlertmanagerReplyTests {
    /// Whether `serve` was sent webhooks: how many so far.
    static func webhooks(_ serve: ServeProcess) -> Int {
        serve.stderr.components(separatedBy: "/alertmanager → 200").count - 1
    }

    @Test("alert → SMS with its code → reply to its urlResponse → silence (matchers, author, comment), ACK OK, no more SMS; resolved → RESOLVED (acked by alice)")
    func replySilencesTheAlert() async throws {
        try await withFake { fake in
            let (servePort, alertmanagerPort) = (try RawConnection.freePort(), try RawConnection.freePort())
            let secrets = try TemporaryDirectory()
            defer { secrets.remove() }
            let token = Replies.newToken()
            let tokenFile = try secrets.write("reply.token", token + "\n")
            let oncall = AlertmanagerTests.oncall
            let (serve, passwordFile, dir) = try await AlertmanagerTests.serve(fake, extraConfig: """
                two_way:
                  token_file: \(tokenFile)
                  callback_url: http://127.0.0.1:\(servePort)/smspartner/reply
                  on_call: {"\(oncall)": alice}
                  alertmanager: {url: "http://127.0.0.1:\(alertmanagerPort)", silence: 10m, watch_interval: 2s}
                """, port: servePort)
            defer { dir.remove() }
            let alertmanager = try await AlertmanagerProcess(
                webhook: serve.baseURL + "/alertmanager", passwordFile: passwordFile, repeatInterval: "3s", listenPort: alertmanagerPort)
            try await alertmanager.post([("HostDown", "db7")])
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 1 }, "\(alertmanager.log)\n\(serve.stderr)")
            let alert = try #require(fake.deliveredMessages.first)
            #expect(alert.message?.hasPrefix("FIRING HostDown db7") == true, "\(alert.message ?? "")")
            let code = try #require(Replies.code(alert.message), "\(alert.message ?? "")")
            let url = try #require(alert.urlResponse, "the SMS carries the reply URL")
            // Unsilenced, Alertmanager notifies again after repeat_interval (3 s).
            #expect(await ServeProcess.eventually(.seconds(15)) { Self.webhooks(serve) >= 2 }, "\(serve.stderr)")

            // The reply, to the URL the SMS carried, timed until the silence is listed.
            let began = ContinuousClock.now
            fake.reply(from: oncall, text: "ACK \(code) on it", to: url, shape: .shortNumberJSON)
            var silence: AlertmanagerSilenceTests.ListedSilence?
            let latency = try await Replies.timeUntil(.seconds(15), since: began) {
                silence = try await AlertmanagerSilenceTests.get([AlertmanagerSilenceTests.ListedSilence].self, alertmanager.url + "/api/v2/silences")
                    .first { $0.status.state == "active" }
                return silence != nil
            }
            let listed = try #require(silence, "no active silence listed\n\(serve.stderr)\n\(alertmanager.log)")
            if let latency { Replies.printLatency("alertmanager", latency) }
            #expect(fake.replies.first?.url == url && fake.replies.first?.responseStatus == 200, "\(fake.replies)")
            #expect(Set(listed.matchers) == [
                .init(name: "alertname", value: "HostDown", isRegex: false, isEqual: true),
                .init(name: "instance", value: "db7", isRegex: false, isEqual: true),
                .init(name: "severity", value: "critical", isRegex: false, isEqual: true),
            ], "\(listed.matchers)")
            #expect(listed.createdBy == "alice")
            #expect(listed.comment.hasPrefix("ACK on it"), "\(listed.comment)")

            // The replier's answer; the alert suppressed; nothing more through a repeat interval.
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 2 }, "\(serve.stderr)")
            let answer = fake.deliveredMessages.last
            #expect(answer?.numbers == [oncall])
            #expect(answer?.message?.hasPrefix("ACK OK ") == true && answer?.message?.contains("silenced until") == true, "\(answer?.message ?? "")")
            let alerts = try await AlertmanagerSilenceTests.get([AlertmanagerSilenceTests.ListedAlert].self, alertmanager.url + "/api/v2/alerts")
            #expect(alerts.first { $0.labels["instance"] == "db7" }?.status.silencedBy == [listed.id], "\(alerts)")
            #expect(try await Replies.page(code, stateDir: serve.stateDir, env: fake.env)?["acked_by"] as? String == "alice")
            let notified = Self.webhooks(serve)
            try await Task.sleep(for: .seconds(8))
            #expect(Self.webhooks(serve) == notified, "Alertmanager sent the silenced alert again\n\(serve.stderr)")
            #expect(fake.deliveredMessages.count == 2, "\(fake.deliveredMessages.compactMap(\.message))")

            // It recovers while silenced: Alertmanager says nothing, serve sees it (watch_interval 2 s).
            let resolving = ContinuousClock.now
            try await alertmanager.post([("HostDown", "db7")], resolved: true)
            #expect(await ServeProcess.eventually(.seconds(20)) { fake.deliveredMessages.count == 3 }, "\(serve.stderr)")
            let resolved = fake.deliveredMessages.last
            print("[two-way alertmanager] resolved at Alertmanager → RESOLVED SMS in \(ContinuousClock.now - resolving)")
            #expect(resolved?.numbers == [oncall])
            #expect(resolved?.message?.hasPrefix("RESOLVED ") == true && resolved?.message?.hasSuffix(" (acked by alice)") == true,
                    "\(resolved?.message ?? "")")
            #expect(try await Replies.page(code, stateDir: serve.stateDir, env: fake.env) == nil, "the page is resolved")
            #expect(serve.stderr.contains("a silenced Alertmanager alert resolved"), "\(serve.stderr)")
            #expect(await serve.stop() == 0)
        }
    }
}

/// A Nagios 4 problem paged through the contrib commands (see NagiosDaemonTests) to two
/// contacts, sharing the state of a running `serve`; the first replies, Nagios acknowledges.
@Suite(
    "two-way paging: a reply acknowledges the problem in a real Nagios 4",
    .disabled(if: NagiosDaemon.skipRequested, "SMSPARTNER_SKIP_NAGIOS=1"),
    .timeLimit(.minutes(3)))
struct TwoWayNagiosReplyTests {
    static let other = "+33600000002"

    @Test("CRITICAL → SMS with its code → ACK <code> on it (long number) → acknowledged in status.dat by alice; its ACKNOWLEDGEMENT not texted to her, to the other contact yes")
    func replyAcknowledgesInNagios() async throws {
        let port = try RawConnection.freePort()
        let pager = NagiosDaemonTests.pager
        try await NagiosDaemonTests.withRunningSite(commands: .flags, extraConfig: { scratch in
            """
            two_way:
              token_file: \(try scratch.write("reply.token", Replies.newToken() + "\n"))
              callback_url: http://127.0.0.1:\(port)/smspartner/reply
              notify_others: true
              on_call: {"\(pager)": alice}
              nagios: {command_file: \(scratch.path("nagios/nagios.cmd"))}
            """
        }, otherPagers: [Self.other], statusUpdateInterval: 1) { site, fake, daemon in
            // serve, on the configuration and state of Nagios' commands.
            let config = try #require(site.environment["SMSPARTNER_NOTIFY_CONFIG"])
            let state = try #require(site.environment["SMSPARTNER_STATE_DIR"])
            try #require(site.commandFile.hasSuffix("/nagios/nagios.cmd"), "\(site.commandFile)")
            let env = fake.env.merging(["SMSPARTNER_STATE_DIR": state]) { _, new in new }
            let serve = try await ServeProcess(arguments: ["--to", pager, "--config", config, "--listen", "127.0.0.1:\(port)"], env: env)
            let diagnostics = { "\(site.diagnostics(fake: fake, daemon: daemon))\n--- serve ---\n\(serve.stderr)" }
            try await NagiosDaemon.submitServiceResult(
                to: daemon, commandFile: site.commandFile, host: NagiosDaemonTests.host, service: NagiosDaemonTests.service, code: 2,
                output: "CRITICAL - connection refused")
            let failure = try await NagiosDaemonTests.waitForDeliveries(2, fake: fake, daemon: daemon, site: site)
            try #require(failure == nil, "\(failure ?? "")\n\(diagnostics())")
            let problem = try #require(fake.deliveredMessages.first { $0.numbers == [pager] })
            #expect(problem.message?.hasPrefix("PROBLEM \(NagiosDaemonTests.host)") == true, "\(problem.message ?? "")")
            let code = try #require(Replies.code(problem.message), "\(problem.message ?? "")")
            let url = try #require(problem.urlResponse, "the SMS Nagios' send made carries the reply URL")

            let statusFile = site.directory + "/status.dat"
            let service = { StatusFile(path: statusFile).service(NagiosDaemonTests.host, NagiosDaemonTests.service) ?? [:] }
            #expect(service()["problem_has_been_acknowledged"] != "1", "\(service())")
            let began = ContinuousClock.now
            fake.reply(from: pager, text: "ACK \(code) on it", to: url, shape: .longNumberForm)
            let latency = await Replies.timeUntil(.seconds(15), since: began) { service()["problem_has_been_acknowledged"] == "1" }
            try #require(latency != nil, "status.dat never showed the acknowledgement\n\(diagnostics())")
            if let latency { Replies.printLatency("nagios", latency) }
            let comment = StatusFile(path: statusFile).blocks("servicecomment").first { $0["entry_type"] == "4" } ?? [:]
            #expect(comment["author"] == "alice", "\(comment)")
            #expect(comment["comment_data"]?.hasPrefix("ACK on it") == true, "\(comment)")

            // alice: the answer only; the other contact: the ACKED notice and Nagios' ACKNOWLEDGEMENT.
            let answered = await ServeProcess.eventually(.seconds(30)) {
                Replies.texts(to: pager, fake).count == 2
                    && Replies.texts(to: Self.other, fake).contains { $0.hasPrefix("ACKNOWLEDGEMENT") }
                    && Replies.texts(to: Self.other, fake).contains { $0.hasPrefix("ACKED") }
            }
            #expect(answered, "\(diagnostics())")
            #expect(Replies.texts(to: pager, fake).last == "ACK OK \(NagiosDaemonTests.host)/\(NagiosDaemonTests.service): acknowledged in Nagios",
                    "\(Replies.texts(to: pager, fake))")
            #expect(Replies.texts(to: Self.other, fake).contains { $0.hasPrefix("ACKNOWLEDGEMENT") && $0.contains("by alice") },
                    "\(Replies.texts(to: Self.other, fake))")
            // Nagios notified alice too: her send decided not to text it.
            var decisions: [[String: Any]] = []
            let suppressed = try await Replies.timeUntil(.seconds(30), since: .now) {
                decisions = try await Replies.decisions(stateDir: state, env: fake.env)
                return decisions.contains { $0["recipient"] as? String == pager && $0["reason"] as? String == "acked_by_reply" }
            }
            #expect(suppressed != nil, "\(decisions)\n\(diagnostics())")
            #expect(!Replies.texts(to: pager, fake).contains { $0.hasPrefix("ACKNOWLEDGEMENT") }, "\(Replies.texts(to: pager, fake))")
            #expect(await serve.stop() == 0)
        }
    }
}

/// A page for a service of a real Icinga 2 (see IcingaAPISite), opened by `send` in Icinga's
/// format in `serve`'s state; the reply acknowledges it through the API.
@Suite(
    "two-way paging: a reply acknowledges the service in a real Icinga 2",
    .disabled(if: IcingaDaemon.skipRequested, "SMSPARTNER_SKIP_ICINGA=1"),
    .timeLimit(.minutes(3)))
struct TwoWayIcingaReplyTests {
    @Test("send (Icinga) → ACK <code> → the service acknowledged in Icinga 2, ACK OK … acknowledged in Icinga 2")
    func replyAcknowledgesInIcinga() async throws {
        try await IcingaAPISite.withCriticalService { site, daemon, scratch in
            let name = IcingaAPISite.serviceName
            try await withFake { fake in
                let token = Replies.newToken()
                let tokenFile = try scratch.write("reply.token", token + "\n")
                let settings = site.settings
                let config = try scratch.write("config.yml", """
                    two_way:
                      token_file: \(tokenFile)
                      on_call: {"\(Replies.alice)": alice}
                      icinga2: {url: "\(settings.url)", user: \(settings.user), password_file: \(settings.passwordFile), ca_file: \(settings.caFile ?? "")}
                    """)
                let serve = try await ServeProcess(arguments: ["--to", Replies.alice, "--config", config], env: fake.env)
                let sent = try await CLI.run([
                    "send", "--format", "icinga", "--notification-type", "PROBLEM", "--host", IcingaAPISite.host, "--service", IcingaAPISite.service,
                    "--service-state", "CRITICAL", "--output", "CRITICAL - connection refused", "--to", Replies.alice,
                    "--config", config, "--state-dir", serve.stateDir,
                ], env: fake.env)
                #expect(sent.exitCode == 0, "\(sent.summary)")
                let code = try #require(Replies.code(fake.deliveredMessages.last?.message), "\(fake.deliveredMessages)")
                #expect(try await Replies.page(code, stateDir: serve.stateDir, env: fake.env)?["source"] as? String == "icinga")

                let began = ContinuousClock.now
                fake.reply(from: Replies.alice, text: "ACK \(code) looking", to: serve.baseURL + "/smspartner/reply/" + token, shape: .shortNumberJSON)
                let seen = try await site.waitFor("services", name, daemon: daemon, within: .seconds(15)) { $0.acknowledgement != 0 }
                let latency = ContinuousClock.now - began
                #expect(seen?.acknowledgement == 2, "not acknowledged (sticky) in Icinga 2\n\(serve.stderr)\n\(site.diagnostics(daemon: daemon))")
                if seen != nil { Replies.printLatency("icinga2", latency) }
                #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 2 }, "\(serve.stderr)")
                #expect(fake.deliveredMessages.last?.message == "ACK OK \(IcingaAPISite.host)/\(IcingaAPISite.service): acknowledged in Icinga 2",
                        "\(fake.deliveredMessages.last?.message ?? "")")
                #expect(try await Replies.page(code, stateDir: serve.stateDir, env: fake.env)?["acked_by"] as? String == "alice")
                #expect(await serve.stop() == 0)
            }
        }
    }
}
