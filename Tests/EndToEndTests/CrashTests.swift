import Foundation
import SMSPartnerTesting
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of `send` and `flush` at random moments of their work, many times over: every
/// alert the store accepted ends sent, never lost, and never twice: a sender killed after
/// SMSPartner accepted its request and before it recorded that leaves a claim that comes back
/// unknown, and SMSPartner is asked (by the message's tag) before it is sent again.
@Suite("kill -9 at random moments", .timeLimit(.minutes(5)))
struct CrashTests {
    /// A child started without waiting for it, to be killed.
    struct Child {
        let process: Process
        let scratch: TemporaryDirectory

        init(_ args: [String], env: [String: String]) throws {
            scratch = try TemporaryDirectory()
            process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binaryPath)
            process.arguments = args
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": scratch.root].merging(env) { _, new in new }
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// SIGKILL, then reap. Whether it was still running when killed.
        func kill() -> Bool {
            let running = process.isRunning
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            scratch.remove()
            return running && process.terminationReason == .uncaughtSignal
        }
    }

    static let iterations = 60

    /// The shortest wall time, in microseconds, of `count` runs of `body`.
    static func shortest(of count: Int, _ body: (Int) async throws -> Void) async throws -> Int {
        var best = Int.max
        for index in 0..<count {
            let clock = ContinuousClock()
            let taken = try await clock.measure { try await body(index) }
            best = min(best, Int(taken.components.seconds) * 1_000_000 + Int(taken.components.attoseconds / 1_000_000_000_000))
        }
        return best
    }

    @Test("send and flush killed at random moments, 60 times: nothing lost, nothing sent twice")
    func killNine() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        // Generous limits: this is about the outbox, not the policy.
        let config = try state.scratch.write("config.yml", "rate_limits: []\nhourly_cap: off\ndaily_cap: off\n")
        var generator = SystemRandomNumberGenerator()
        try await withFake { fake in try await LoadGate.shared.with(exclusive: true) {
            // A provider that takes the SMS at once and answers slowly: the widest window there
            // is between its acceptance and the sender's commit.
            fake.setLatency(.milliseconds(60))
            let env = state.env(fake, extra: ["SMSPARTNER_NOTIFY_CONFIG": config])
            // Per alert, how many killed children had already had it delivered: each may cause
            // one duplicate, and nothing else may.
            var deliveredByKilled: [String: Int] = [:]
            var kills = 0
            func tally(_ before: [String], killed: Bool) async throws {
                // Bytes written before the kill may still be on their way to the fake.
                try await Task.sleep(for: .milliseconds(150))
                var after = fake.deliveredMessages.compactMap(\.message?.withoutTimeStamp)
                for text in before {
                    if let index = after.firstIndex(of: text) { after.remove(at: index) }
                }
                if killed { for text in after { deliveredByKilled[text, default: 0] += 1 } }
            }
            // How long an uninterrupted run takes here, so that the kills spread over the run
            // whatever the machine's speed: the shortest of three of each kind.
            let sendTakes = try await Self.shortest(of: 3) { index in
                let run = try await CLI.run(StateTests.serviceAlert("calibrate\(index)"), env: env, gated: false)
                #expect(run.exitCode == 0, "\(run.summary)")
            }
            var flushTakes = Int.max
            for index in 0..<3 {
                fake.setDefaultReply(.http(status: 503, body: "busy"))
                let queued = try await CLI.run(StateTests.serviceAlert("calibrate-flush\(index)") + ["--timeout", "1"], env: env, gated: false)
                #expect(queued.exitCode == 75, "\(queued.summary)")
                fake.setDefaultReply(.accept)
                var flushEnv = env
                flushEnv["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(Date().addingTimeInterval(120).timeIntervalSince1970)
                flushTakes = min(flushTakes, try await Self.shortest(of: 1) { _ in
                    let run = try await CLI.run(["flush"], env: flushEnv, gated: false)
                    #expect(run.exitCode == 0, "\(run.summary)")
                })
            }
            for iteration in 0..<Self.iterations {
                let host = "host\(iteration)"
                let span = iteration % 3 == 2 ? flushTakes : sendTakes
                let delay = Duration.microseconds(Int.random(in: 0...max(1, span * 9 / 10), using: &generator))
                if iteration % 3 == 2 {
                    // Kill a flush: queue the alert first (SMSPartner failing), then flush it.
                    fake.setDefaultReply(.http(status: 503, body: "busy"))
                    let queued = try await CLI.run(StateTests.serviceAlert(host) + ["--timeout", "1"], env: env, gated: false)
                    #expect(queued.exitCode == 75, "\(queued.summary)")
                    fake.setDefaultReply(.accept)
                    var flushEnv = env
                    flushEnv["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(Date().addingTimeInterval(120).timeIntervalSince1970)
                    let before = fake.deliveredMessages.compactMap(\.message?.withoutTimeStamp)
                    let child = try Child(["flush"], env: flushEnv)
                    try await Task.sleep(for: delay)
                    let killed = child.kill()
                    if killed { kills += 1 }
                    try await tally(before, killed: killed)
                } else {
                    let before = fake.deliveredMessages.compactMap(\.message?.withoutTimeStamp)
                    let child = try Child(StateTests.serviceAlert(host), env: env)
                    try await Task.sleep(for: delay)
                    let killed = child.kill()
                    if killed { kills += 1 }
                    try await tally(before, killed: killed)
                }
            }
            #expect(kills > Self.iterations / 3, "most kills should land while the child runs (\(kills))")

            // Later, once every lease has run out: flush until the outbox is empty.
            for minutes in [2, 4, 6] {
                var later = env
                later["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(Date().addingTimeInterval(Double(minutes) * 60).timeIntervalSince1970)
                let flush = try await CLI.run(["flush"], env: later, gated: false)
                #expect(flush.exitCode == 0, "\(flush.summary)")
            }
            let status = try await state.status(fake, now: Date().addingTimeInterval(400), gated: false)
            #expect((status["outbox"] as? [String: Any])?["queued"] as? Int == 0, "\(status)")

            // Every alert the store accepted was delivered; the store knows each one as sent.
            let check = try await CLI.run(["status", "--json", "--latest", "1000"], env: env, gated: false)
            #expect(check.exitCode == 0, "\(check.summary)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any], "\(check.summary)")
            let decisions = try #require(report["latest"] as? [[String: Any]], "\(report)")
            // Every third run queued its alert uninterrupted (exit 75) before its flush was
            // killed: those at least are known. An empty list would prove nothing.
            #expect(decisions.count >= Self.iterations / 3, "\(decisions.count) decisions")
            let accepted = Set(decisions.compactMap { $0["text"] as? String })
            #expect(decisions.allSatisfy { ($0["state"] as? String) == "sent" }, "\(decisions.filter { ($0["state"] as? String) != "sent" })")
            // A text that left more than a minute late starts with the time it happened.
            let delivered = fake.deliveredMessages.compactMap(\.message?.withoutTimeStamp)
            for text in accepted {
                #expect(delivered.contains(text), "lost: \(text)")
            }
            // And nothing was delivered that the store does not know.
            #expect(Set(delivered).isSubset(of: accepted))
            // No duplicate, not even of what a killed child had had delivered: its claim came back
            // unknown and was found under its tag.
            var counts: [String: Int] = [:]
            for text in delivered { counts[text, default: 0] += 1 }
            for (text, count) in counts where count > 1 {
                #expect(count == 1, "sent twice: \(text) ×\(count) (\(deliveredByKilled[text, default: 0]) delivered by a killed child)")
            }
            let confirmed = decisions.filter { $0["message_id"] == nil }.count
            let lookups = fake.requests.filter { $0.path == "/v1/bulk-status-by-tag" }.count
            print("[kill -9] \(Self.iterations) runs (an uninterrupted send takes \(sendTakes / 1000) ms, a flush \(flushTakes / 1000) ms), \(kills) killed while running, \(accepted.count) alerts accepted, \(delivered.count) SMS delivered, \(delivered.count - counts.count) duplicate SMS, \(deliveredByKilled.count) delivered by a killed child, \(lookups) tag lookups, \(confirmed) confirmed by lookup, \(Self.iterations + 6 - accepted.count) killed before the store accepted them")
        } }
    }
}
