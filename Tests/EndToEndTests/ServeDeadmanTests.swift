import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The dead man's switch of the real `serve`, restarted on one state directory: the Watchdog
/// stops, one DEADMAN SMS; it comes back, one RESTORED SMS; no false alarm after a restart.
@Suite("serve: the dead man's switch", .timeLimit(.minutes(3)))
struct ServeDeadmanTests {
    static let deadmanTo = "+33655555555"
    static var silent: Regex<Substring> { #/^DEADMAN Alertmanager https://am\.example\.org silent since \d\d:\d\d \(no Watchdog for 4s\)$/# }
    static var restored: Regex<Substring> { #/^RESTORED Alertmanager https://am\.example\.org Watchdog back at \d\d:\d\d \(silent since \d\d:\d\d\)$/# }

    @Test("Watchdog stops → one DEADMAN; restart → no second one; Watchdog back → one RESTORED; a restart after downtime → no false alarm")
    func silenceAndReturn() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", """
                deadman:
                  timeout: 4s
                  to: ["\(Self.deadmanTo)"]
                """)
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = try dir.makeDirectory("state")
            let watchdog = Data(try FixtureDirectory.decoders.bytes("watchdog/firing.json"))
            func start() async throws -> ServeProcess {
                try await ServeProcess(arguments: ["--config", config], env: env)
            }
            func beat(_ serve: ServeProcess) async throws {
                let reply = try await serve.post("/alertmanager", watchdog)
                #expect(reply.status == 200, "\(reply.bodyText)")
                #expect(reply.bodyText.contains(#""heartbeats":1"#), "\(reply.bodyText)")
            }
            var texts: [String] { fake.deliveredMessages.compactMap(\.message) }

            // Heard, then serve is down for longer than the timeout: when it comes back, it
            // waits a whole timeout for the Watchdog, which comes in time. (4 s, with 2 s of
            // margin on each side: a loaded machine delays a start or a request by a second.)
            let first = try await start()
            try await beat(first)
            #expect(await first.stop() == 0, "\(first.stderr)")
            try await Task.sleep(for: .seconds(4.5))
            let second = try await start()
            try await Task.sleep(for: .seconds(2))
            try await beat(second)
            try await Task.sleep(for: .seconds(2))
            #expect(texts.isEmpty, "no false alarm after the restart: \(texts)")

            // The Watchdog stops: one DEADMAN SMS, to deadman.to, even with nobody else configured.
            #expect(await ServeProcess.eventually(.seconds(15)) { !texts.isEmpty }, "\(second.stderr.suffix(3000))")
            try await Task.sleep(for: .seconds(2.5))
            #expect(texts.count == 1, "\(texts)")
            #expect(texts.first?.wholeMatch(of: Self.silent) != nil, "\(texts)")
            #expect(fake.deliveredMessages.first?.numbers == [Self.deadmanTo])

            // Restarted while silent: the alarm was given, not again.
            #expect(await second.stop() == 0, "\(second.stderr)")
            let third = try await start()
            try await Task.sleep(for: .seconds(6.5))
            #expect(texts.count == 1, "no second alarm after the restart: \(texts)")

            // The Watchdog is back: one RESTORED SMS, however often it comes.
            try await beat(third)
            #expect(await ServeProcess.eventually(.seconds(10)) { texts.count == 2 }, "\(texts)")
            try await beat(third)
            try await Task.sleep(for: .seconds(1))
            #expect(texts.count == 2, "\(texts)")
            #expect(texts.last?.wholeMatch(of: Self.restored) != nil, "\(texts)")

            let metrics = try await third.request(.get, "/metrics")
            for line in ["smspartner_deadman_heartbeats_total 2", "smspartner_deadman_clusters 1", "smspartner_deadman_silent_clusters 0"] {
                #expect(metrics.bodyText.contains(line), "missing \(line) in\n\(metrics.bodyText)")
            }
            #expect(await third.stop() == 0, "\(third.stderr)")

            let status = try await CLI.run(["status", "--config", config], env: env)
            #expect(status.stdout.contains("dead man's switch (timeout 4s, texts 1 number):"), "\(status.stdout)")
            #expect(status.stdout.contains("  https://am.example.org: last Watchdog "), "\(status.stdout)")
            let json = try await CLI.run(["status", "--json", "--config", config], env: env)
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let clusters = (document?["deadman"] as? [String: Any])?["clusters"] as? [[String: Any]]
            #expect(clusters?.first?["cluster"] as? String == "https://am.example.org", "\(json.stdout)")
            #expect(clusters?.first?["alarm_at"] == nil && clusters?.first?["restored_at"] is String, "\(json.stdout)")
        }
    }
}
