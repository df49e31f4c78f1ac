import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// Quiet hours through the binary, on a fake clock (`SMSPARTNER_NOTIFY_FAKE_NOW`): `send` during
/// them exits 0 with a `held:` line saying until when, `--dry-run` and `status` say it too, a
/// CRITICAL goes through, and `flush` after the window sends the one digest.
@Suite("quiet hours: held with until when, the digest by flush", .timeLimit(.minutes(2)))
struct QuietHoursTests {
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    @Test("send at 23:00 Paris is held (exit 0, held: … until 07:00 (Europe/Paris)), --dry-run and status say it, a CRITICAL goes through, flush at 07:00 sends one digest; a receiver with quiet_hours: off is texted")
    func heldThenFlushedAtTheEnd() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", """
                quiet_hours:
                  timezone: Europe/Paris
                  allow: [critical]
                  windows:
                    - {days: mon-sun, from: "22:00", to: "07:00"}
                receivers:
                  oncall: {to: ["\(Self.bob)"], quiet_hours: off}
                """)
            // Wednesday 2 December 2026, 22:00 UTC = 23:00 in Paris.
            let start = 1_796_248_800.0
            func env(_ seconds: Double) -> [String: String] {
                fake.env.merging(["SMSPARTNER_NOTIFY_FAKE_NOW": String(start + seconds)]) { _, new in new }
            }
            let base = ["--config", config, "--state-dir", dir.path("state")]
            let warning = ["--notification-type", "PROBLEM", "--host", "web01", "--service", "HTTP", "--service-state", "WARNING",
                           "--output", "slow"]

            let dry = try await CLI.run(["send", "--to", Self.alice, "--dry-run"] + warning + base, env: env(0))
            #expect(dry.exitCode == 0, "\(dry.stderr)")
            #expect(dry.stdoutLines.contains { $0.contains("\(Self.alice): held, quiet hours until 07:00 (Europe/Paris)") }, "\(dry.stdout)")

            let held = try await CLI.run(["send", "--to", Self.alice] + warning + base, env: env(0))
            #expect(held.exitCode == 0, "\(held.stderr)")
            #expect(held.stdoutLines.contains { $0.hasPrefix("held: \(Self.alice): quiet hours until 07:00 (Europe/Paris)") }, "\(held.stdout)")
            #expect(fake.deliveredMessages.isEmpty)

            let status = try await CLI.run(["status"] + base, env: env(60))
            #expect(status.stdoutLines.contains { $0.contains("\(Self.alice): 1 held, quiet hours until 07:00 (Europe/Paris)") }, "\(status.stdout)")
            let json = try await CLI.run(["status", "--json"] + base, env: env(60))
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let entry = (document?["held"] as? [[String: Any]])?.first
            #expect(entry?["quiet_until"] as? String == "2026-12-03T06:00:00.000Z" || (entry?["quiet_until"] as? String)?.hasPrefix("2026-12-03T06:00:00") == true,
                    "\(json.stdout)")

            let critical = try await CLI.run(["send", "--to", Self.alice, "--notification-type", "PROBLEM", "--host", "db1",
                                              "--host-state", "DOWN", "--output", "no ping"] + base, env: env(600))
            #expect(critical.exitCode == 0 && critical.stdoutLines.contains { $0.hasPrefix("sent: ") }, "\(critical.stdout)")
            #expect(fake.deliveredMessages.count == 1)

            // The receiver's numbers with quiet_hours: off are texted at night.
            let onCall = try await CLI.run(["send", "--to", Self.bob, "--message", "backup late"] + base, env: env(700))
            #expect(onCall.exitCode == 0 && onCall.stdoutLines.contains { $0.hasPrefix("sent: ") }, "\(onCall.stdout)")
            #expect(fake.deliveredMessages.count == 2)

            let early = try await CLI.run(["flush"] + base, env: env(8 * 3600 - 60))
            #expect(early.exitCode == 0, "\(early.stderr)")
            #expect(fake.deliveredMessages.count == 2, "06:59: still quiet: \(early.stdout)")
            let morning = try await CLI.run(["flush"] + base, env: env(8 * 3600))
            #expect(morning.exitCode == 0, "\(morning.stderr)")
            #expect(fake.deliveredMessages.count == 3, "\(morning.stdout)")
            let digest = fake.deliveredMessages.last
            #expect(digest?.numbers == [Self.alice])
            #expect(digest?.message?.hasPrefix("+1 held in quiet hours since ") == true, "\(digest?.message ?? "")")
            #expect(digest?.message?.contains("web01/HTTP WARNING") == true)
            let after = try await CLI.run(["status"] + base, env: env(8 * 3600 + 60))
            #expect(!after.stdoutLines.contains { $0.contains("quiet hours until") && $0.contains("held,") }, "\(after.stdout)")
        }
    }
}
