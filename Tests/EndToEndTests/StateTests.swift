import Foundation
import GRDB
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shared state across real processes: deduplication under a storm, rate limits and the
/// digest, the outbox through an outage, `kill -9` at random moments, and broken stores.
@Suite("state: dedup, limits, digests, outbox", .timeLimit(.minutes(5)))
struct StateTests {
    static let recipient = "+33600000000"

    /// A state directory of the test's own, shared by every process it starts.
    struct SharedState {
        let scratch: TemporaryDirectory
        let dir: String

        init() throws {
            scratch = try TemporaryDirectory()
            dir = scratch.path("state")
        }

        func env(_ fake: FakeSMSPartner, now: Date? = nil, extra: [String: String] = [:]) -> [String: String] {
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = dir
            if let now { env["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(now.timeIntervalSince1970) }
            env.merge(extra) { _, new in new }
            return env
        }

        /// `status --json`, decoded.
        func status(_ fake: FakeSMSPartner, now: Date? = nil, gated: Bool = true) async throws -> [String: Any] {
            let result = try await CLI.run(["status", "--json", "--latest", "0"], env: env(fake, now: now), gated: gated)
            #expect(result.exitCode == 0, "\(result.summary)")
            return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
        }

        func remove() { scratch.remove() }
    }

    static func serviceAlert(_ host: String, state: String = "CRITICAL", type: String = "PROBLEM") -> [String] {
        ["send", "--to", recipient, "--notification-type", type, "--host", host, "--service", "HTTP",
         "--service-state", state, "--output", "HTTP \(state)"]
    }

    // MARK: - Dedup

    @Test("200 processes started at once for the same alert send exactly one SMS")
    func storm() async throws {
        let state = try SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let results = try await LoadGate.shared.with(exclusive: true) {
                try await withThrowingTaskGroup(of: CLIResult.self) { group in
                    for _ in 0..<200 {
                        group.addTask { try await CLI.run(Self.serviceAlert("web01"), env: state.env(fake), timeout: .seconds(90), gated: false) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(results.allSatisfy { $0.exitCode == 0 }, "\(results.filter { $0.exitCode != 0 }.prefix(3).map(\.summary))")
            #expect(fake.deliveredMessages.count == 1)
            #expect(results.count(where: { $0.stdout.hasPrefix("sent: ") }) == 1)
            #expect(results.count(where: { $0.stdout.hasPrefix("suppressed: \(Self.recipient): duplicate of #1, ") }) == 199)
            let status = try await state.status(fake)
            let hour = (status["windows"] as? [String: Any])?["1h"] as? [String: Any]
            #expect(hour?["sent"] as? Int == 1)
            #expect((hour?["suppressed"] as? [String: Int])?["duplicate"] == 199)
        }
    }

    @Test("a change of status is never a duplicate; the same status again is")
    func statusChange() async throws {
        let state = try SharedState()
        defer { state.remove() }
        try await withFake { fake in
            for (type, serviceState) in [("PROBLEM", "CRITICAL"), ("RECOVERY", "OK"), ("RECOVERY", "OK")] {
                let result = try await CLI.run(Self.serviceAlert("web01", state: serviceState, type: type), env: state.env(fake))
                #expect(result.exitCode == 0, "\(result.summary)")
            }
            #expect(fake.deliveredMessages.compactMap(\.message).map { $0.prefix(8) } == ["PROBLEM ", "RECOVERY"])
        }
    }

    @Test("--dry-run says what the policy would decide, and records nothing")
    func dryRunPreview() async throws {
        let state = try SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let alert = Self.serviceAlert("web01")
            let before = try await CLI.run(alert + ["--dry-run"], env: state.env(fake))
            #expect(before.stdoutLines.contains("decision: \(Self.recipient): send (nothing recorded yet)"), "\(before.summary)")
            #expect(!FileManager.default.fileExists(atPath: state.dir), "a dry run creates no state")
            let sent = try await CLI.run(alert, env: state.env(fake))
            #expect(sent.exitCode == 0, "\(sent.summary)")
            let after = try await CLI.run(alert + ["--dry-run"], env: state.env(fake))
            #expect(after.stdoutLines.contains { $0.hasPrefix("decision: \(Self.recipient): suppressed, duplicate of #1, sent at ") }, "\(after.summary)")
            let again = try await CLI.run(alert + ["--dry-run"], env: state.env(fake))
            #expect(again.stdoutLines.contains { $0.hasPrefix("decision: \(Self.recipient): suppressed, duplicate of #1, sent at ") }, "dry runs record nothing: \(again.summary)")
            #expect(fake.deliveredMessages.count == 1)
        }
    }

    // MARK: - Limits and digests

    @Test("50 distinct alerts at once: 5 SMS (5/15m), then exactly one digest when the window reopens")
    func limitsThenDigest() async throws {
        let state = try SharedState()
        defer { state.remove() }
        let start = Date()
        try await withFake { fake in
            let results = try await LoadGate.shared.with(exclusive: true) {
                try await withThrowingTaskGroup(of: CLIResult.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            try await CLI.run(Self.serviceAlert("web\(index)"), env: state.env(fake, now: start), timeout: .seconds(90), gated: false)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(results.allSatisfy { $0.exitCode == 0 }, "held is not a failure")
            #expect(fake.deliveredMessages.count == 5)
            #expect(results.count(where: { $0.stdout.hasPrefix("held: \(Self.recipient): over the recipient's rate limit (5 urgent in 15m, limit 5)") }) == 45)

            // Still inside the window: nothing goes out.
            let early = try await CLI.run(["flush"], env: state.env(fake, now: start.addingTimeInterval(899)))
            #expect(early.exitCode == 0, "\(early.summary)")
            #expect(fake.deliveredMessages.count == 5)

            let flush = try await CLI.run(["flush"], env: state.env(fake, now: start.addingTimeInterval(901)))
            #expect(flush.exitCode == 0, "\(flush.summary)")
            #expect(fake.deliveredMessages.count == 6)
            let digest = fake.deliveredMessages.last?.message ?? ""
            #expect(digest.hasPrefix("+45 suppressed since "), "\(digest)")
            #expect(digest.contains(": 45 PROBLEM; web"), "\(digest)")
            #expect(digest.contains(" more"), "45 subjects cannot all fit: \(digest)")

            let again = try await CLI.run(["flush"], env: state.env(fake, now: start.addingTimeInterval(2000)))
            #expect(again.exitCode == 0, "\(again.summary)")
            #expect(fake.deliveredMessages.count == 6, "exactly one digest")
            let status = try await state.status(fake, now: start.addingTimeInterval(2000))
            #expect((status["outbox"] as? [String: Any])?["held"] as? Int == 0)
            #expect(((status["windows"] as? [String: Any])?["1h"] as? [String: Any])?["digests"] as? Int == 1)
        }
    }

    // MARK: - The outbox through an outage

    enum Outage: String, CaseIterable, CustomStringConvertible {
        case http500, connectionRefused, droppedConnections
        var description: String { rawValue }
    }

    @Test("SMSPartner down: exit 75 and queued; after it recovers flush delivers each once; past max_age expires", arguments: Outage.allCases)
    func outage(_ outage: Outage) async throws {
        let state = try SharedState()
        defer { state.remove() }
        try await withFake { fake in
            var env = state.env(fake)
            switch outage {
            case .http500: fake.setDefaultReply(.http(status: 500, body: "<html>502 Bad Gateway</html>"))
            case .droppedConnections: fake.setDefaultReply(.dropConnection)
            case .connectionRefused: env["SMSPARTNER_API_URL"] = "http://127.0.0.1:\(try RawConnection.freePort())/v1"
            }
            for host in ["web1", "web2", "web3"] {
                let result = try await CLI.run(Self.serviceAlert(host) + ["--timeout", "2"], env: env)
                #expect(result.exitCode == 75, "\(result.summary)")
                if outage == .droppedConnections {
                    // The request went out whole: SMSPartner may have it, and is asked before any resend.
                    #expect(result.stdout.hasPrefix("unknown: \(Self.recipient): "), "\(result.summary)")
                    #expect(result.stderr.contains("not confirmed"), "\(result.summary)")
                } else {
                    // The recipient's earlier alerts, still queued, are tried first (in event order).
                    #expect(result.stdoutLines.last?.hasPrefix("queued: \(Self.recipient): ") == true, "\(result.summary)")
                    #expect(result.stdoutLines.dropLast().allSatisfy { $0.hasPrefix("earlier: queued: \(Self.recipient): ") }, "\(result.summary)")
                    #expect(result.stderr.contains("queued, `flush` retries it"), "\(result.summary)")
                }
            }
            // One more that will be too old by the time SMSPartner is back.
            var lateEnv = env
            lateEnv["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(Date().addingTimeInterval(-3700).timeIntervalSince1970)
            let late = try await CLI.run(Self.serviceAlert("web4") + ["--timeout", "2"], env: lateEnv)
            #expect(late.exitCode == 75, "\(late.summary)")
            #expect(fake.deliveredMessages.isEmpty)

            fake.setDefaultReply(.accept)
            let flush = try await CLI.run(["flush"], env: state.env(fake, now: Date().addingTimeInterval(60)))
            #expect(flush.exitCode == 0, "\(flush.summary)")
            #expect(flush.stdout.contains("3 sent, 0 not sent, 1 expired"), "\(flush.summary)")
            // In the order they happened, each saying when (they leave more than a minute late).
            let texts = fake.deliveredMessages.compactMap(\.message)
            #expect(texts.map(\.withoutTimeStamp) == ["web1", "web2", "web3"].map { "PROBLEM \($0)/HTTP CRITICAL: HTTP CRITICAL" }, "\(texts)")
            #expect(texts.allSatisfy { $0 != $0.withoutTimeStamp }, "\(texts)")
            let lookups = fake.requests.filter { $0.path == "/v1/bulk-status-by-tag" }.count
            #expect(lookups == (outage == .droppedConnections ? 3 : 0), "asked about exactly what may have gone out")

            let again = try await CLI.run(["flush"], env: state.env(fake, now: Date().addingTimeInterval(3000)))
            #expect(again.exitCode == 0, "\(again.summary)")
            #expect(fake.deliveredMessages.count == 3, "each exactly once")
            let status = try await state.status(fake)
            let hour = (status["windows"] as? [String: Any])?["1h"] as? [String: Any]
            #expect(hour?["expired"] as? Int == 1)
            #expect(hour?["sent"] as? Int == 3)
            #expect((status["outbox"] as? [String: Any])?["queued"] as? Int == 0)
        }
    }
}
