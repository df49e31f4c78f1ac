import Foundation
import NotifyState
import SMSPartnerTesting
import Testing

/// What a real incident asks of the policy, through the built binary and one shared store: a
/// host DOWN is never held behind warnings, the digest says what it held (worst first), two
/// acknowledgements by different people are two pages, and what waited in the outbox during an
/// outage reaches the phone before newer news, saying when it happened.
@Suite("an incident: severity, digests, acknowledgements, order", .timeLimit(.minutes(3)))
struct IncidentTests {
    static let recipient = StateTests.recipient

    static func service(_ host: String, _ service: String, _ state: String, type: String = "PROBLEM") -> [String] {
        ["send", "--to", recipient, "--notification-type", type, "--host", host, "--service", service,
         "--service-state", state, "--output", "\(service) \(state)"]
    }

    /// Runs `args` as if `minute` minutes after `start`, on the shared `state`.
    static func run(_ args: [String], at minute: Double, after start: Date, state: StateTests.SharedState,
                    fake: FakeSMSPartner) async throws -> CLIResult {
        try await CLI.run(args, env: state.env(fake, now: start.addingTimeInterval(minute * 60)))
    }

    static func hostDown(_ host: String) -> [String] {
        ["send", "--to", recipient, "--notification-type", "PROBLEM", "--host", host, "--host-state", "DOWN",
         "--output", "PING CRITICAL - Packet loss = 100%"]
    }

    @Test("service warnings past the recipient's limit, then a host DOWN: the DOWN is texted at once, the digest names what it held, worst first")
    func warningsThenDown() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        // The README's incident, minute by minute from 02:00 (`start`).
        let start = Date()
        try await withFake { fake in
            let run = { (args: [String], minute: Double) in try await Self.run(args, at: minute, after: start, state: state, fake: fake) }
            // 02:00–02:06: seven services warn (the default limit is 5 in 15 minutes).
            for index in 1...7 {
                let result = try await run(Self.service("web0\(index)", "disk", "WARNING"), Double(index - 1))
                #expect(result.exitCode == 0, "\(result.summary)")
            }
            #expect(fake.deliveredMessages.count == 5)
            // 02:07: one of the held ones goes CRITICAL; 02:08: the database host goes DOWN.
            let critical = try await run(Self.service("web06", "disk", "CRITICAL"), 7)
            #expect(critical.stdout.hasPrefix("sent: \(Self.recipient) "), "a change to CRITICAL is not held behind warnings: \(critical.summary)")
            let down = try await run(Self.hostDown("db1"), 8)
            #expect(down.exitCode == 0, "\(down.summary)")
            #expect(down.stdout.hasPrefix("sent: \(Self.recipient) "), "the DOWN is texted at once: \(down.summary)")
            #expect(fake.deliveredMessages.last?.message == "PROBLEM db1 DOWN: PING CRITICAL - Packet loss = 100%")
            // 02:09: another warning is still held.
            let warning = try await run(Self.service("web08", "load", "WARNING"), 9)
            #expect(warning.stdout.hasPrefix("held: \(Self.recipient): over the recipient's rate limit (7 in 15m, limit 5)"), "5 warnings and 2 urgent: \(warning.summary)")
            #expect(fake.deliveredMessages.count == 7)

            // The digest waits until the window has room for one more SMS of any kind: 02:17.
            for minute in [15.0, 16.0] {
                let early = try await run(["flush"], minute)
                #expect(early.exitCode == 0, "\(early.summary)")
                #expect(fake.deliveredMessages.count == 7, "02:\(Int(minute)): the window is still full")
            }
            let flush = try await run(["flush"], 17)
            #expect(flush.exitCode == 0, "\(flush.summary)")
            #expect(fake.deliveredMessages.count == 8)
            // web06's WARNING is not told after its CRITICAL: what was sent since supersedes it.
            let digest = fake.deliveredMessages.last?.message?.withoutTimeStamp ?? ""
            let since = Timestamp(milliseconds: Int64(start.addingTimeInterval(6 * 60).timeIntervalSince1970 * 1000)).localTimeOfDay
            #expect(digest == "+2 suppressed since \(since): 2 PROBLEM; web07/disk WARNING, web08/load WARNING", "\(digest)")
        }
    }

    @Test("a re-notification of the same DOWN is not urgent: it does not spend the urgent budget")
    func reNotificationIsNotUrgent() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let start = Date()
        try await withFake { fake in
            let run = { (args: [String], minute: Double) in try await Self.run(args, at: minute, after: start, state: state, fake: fake) }
            for index in 1...5 {
                _ = try await run(Self.service("web0\(index)", "disk", "WARNING"), 0)
            }
            let down = try await run(Self.hostDown("db1"), 1)
            #expect(down.stdout.hasPrefix("sent: "), "\(down.summary)")
            // Nagios re-notifies 20 minutes later (past the dedup window), with warnings still coming.
            for index in 6...10 {
                _ = try await run(Self.service("web0\(index)", "disk", "WARNING"), 20)
            }
            let again = try await run(Self.hostDown("db1"), 21)
            #expect(again.stdout.hasPrefix("held: \(Self.recipient): over the recipient's rate limit (5 in 15m, limit 5)"),
                    "old news waits with the rest: \(again.summary)")
        }
    }

    @Test("a storm of DOWNs is still limited: the sixth in 15 minutes is held, and the digest lists it first")
    func downsAreLimitedToo() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let start = Date()
        try await withFake { fake in
            let env = state.env(fake, now: start)
            let warning = try await CLI.run(Self.service("web01", "disk", "WARNING"), env: env)
            #expect(warning.exitCode == 0, "\(warning.summary)")
            for index in 1...6 {
                let result = try await CLI.run(Self.hostDown("db\(index)"), env: env)
                #expect(result.exitCode == 0, "\(result.summary)")
                if index == 6 {
                    #expect(result.stdout.hasPrefix("held: \(Self.recipient): over the recipient's rate limit (5 urgent in 15m, limit 5)"), "\(result.summary)")
                }
            }
            let another = try await CLI.run(Self.service("web02", "disk", "WARNING"), env: env)
            #expect(another.stdout.hasPrefix("held: "), "\(another.summary)")
            #expect(fake.deliveredMessages.count == 6, "1 warning and 5 DOWNs")
            let flush = try await CLI.run(["flush"], env: state.env(fake, now: start.addingTimeInterval(901)))
            #expect(flush.exitCode == 0, "\(flush.summary)")
            let digest = fake.deliveredMessages.last?.message?.withoutTimeStamp ?? ""
            #expect(digest.hasSuffix(": 2 PROBLEM; db6 DOWN, web02/disk WARNING"), "\(digest)")
        }
    }

    @Test("two acknowledgements by different people are two SMS; the same one again is a duplicate")
    func twoAcknowledgements() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let env = state.env(fake)
            let ack = Self.service("web01", "HTTP", "CRITICAL", type: "ACKNOWLEDGEMENT")
            let first = try await CLI.run(ack + ["--author", "alice", "--comment", "looking"], env: env)
            #expect(first.exitCode == 0, "\(first.summary)")
            let second = try await CLI.run(ack + ["--author", "bob", "--comment", "taking over"], env: env)
            #expect(second.stdout.hasPrefix("sent: "), "\(second.summary)")
            let repeated = try await CLI.run(ack + ["--author", "bob", "--comment", "taking over"], env: env)
            #expect(repeated.stdout.hasPrefix("suppressed: \(Self.recipient): duplicate of #2"), "\(repeated.summary)")
            // Icinga's environment, the same way.
            var icinga = env
            icinga.merge(["NOTIFICATIONTYPE": "CUSTOM", "HOSTNAME": "web01", "SERVICENAME": "HTTP", "SERVICESTATE": "CRITICAL",
                          "SERVICEOUTPUT": "HTTP CRITICAL", "NOTIFICATIONAUTHORNAME": "carol", "USERPAGER": Self.recipient]) { _, new in new }
            let custom = try await CLI.run(["send", "--format", "icinga"], env: icinga.merging(["NOTIFICATIONCOMMENT": "who is on it?"]) { _, new in new })
            #expect(custom.exitCode == 0, "\(custom.summary)")
            let otherCustom = try await CLI.run(["send", "--format", "icinga"], env: icinga.merging(["NOTIFICATIONCOMMENT": "call me"]) { _, new in new })
            #expect(otherCustom.stdout.hasPrefix("sent: "), "another custom message is news: \(otherCustom.summary)")
            let texts = fake.deliveredMessages.compactMap(\.message)
            #expect(texts == [
                "ACKNOWLEDGEMENT web01/HTTP CRITICAL by alice: looking",
                "ACKNOWLEDGEMENT web01/HTTP CRITICAL by bob: taking over",
                "CUSTOM web01/HTTP CRITICAL by carol: who is on it?",
                "CUSTOM web01/HTTP CRITICAL by carol: call me",
            ], "\(texts)")
        }
    }

    @Test("after an outage, each recipient's backlog goes first, across recipients, in the order it happened")
    func backlogOrderAcrossRecipients() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let other = "+33600000001"
        try await withFake { fake in
            let env = state.env(fake)
            fake.setDefaultReply(.http(status: 503, body: "busy"))
            for (text, to) in [("m1", Self.recipient), ("m2", other), ("m3", "\(Self.recipient),\(other)")] {
                let result = try await CLI.run(["send", "--to", to, "--message", text, "--timeout", "1"], env: env)
                #expect(result.exitCode == 75, "\(result.summary)")
            }
            fake.setDefaultReply(.accept)
            let now = try await CLI.run(["send", "--to", "\(Self.recipient),\(other)", "--message", "m4"], env: env)
            #expect(now.exitCode == 0, "\(now.summary)")
            // On a loaded machine m1 may leave more than a minute after it was decided: its stamp aside.
            let sent = fake.deliveredMessages.map { ($0.message?.withoutTimeStamp ?? "", $0.numbers) }
            #expect(sent.map(\.0) == ["m1", "m2", "m3", "m4"], "\(sent)")
            #expect(sent.count == 4 && sent[2].1.count == 2 && sent[3].1.count == 2, "\(sent)")
        }
    }

    @Test("a long backlog and a slow provider never cost the new page its time budget")
    func backlogDoesNotStarveThePage() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        // No rate limits: this is about time, not the policy.
        let config = try state.scratch.write("config.yml", "rate_limits: []\n")
        try await withFake { fake in
            let env = state.env(fake, extra: ["SMSPARTNER_NOTIFY_CONFIG": config])
            fake.setDefaultReply(.http(status: 503, body: "busy"))
            for index in 1...8 {
                let result = try await CLI.run(["send", "--to", Self.recipient, "--message", "old \(index)", "--timeout", "1"], env: env)
                #expect(result.exitCode == 75, "\(result.summary)")
            }
            // SMSPartner is back, but takes 3 s to answer each request.
            fake.setDefaultReply(.delay(.seconds(3), then: .accept))
            let page = try await CLI.run(["send", "--to", Self.recipient, "--message", "db1 DOWN", "--timeout", "8"], env: env)
            #expect(page.exitCode == 0, "\(page.summary)")
            #expect(page.stdoutLines.last?.hasPrefix("sent: \(Self.recipient) (message_id ") == true, "\(page.summary)")
            #expect(page.elapsed < .seconds(9), "\(page.elapsed)")
            #expect(fake.deliveredMessages.filter { $0.message == "db1 DOWN" }.count == 1)
            #expect(fake.deliveredMessages.count <= 3, "at most one attempt's worth of the backlog went first: \(fake.deliveredMessages.compactMap(\.message))")
        }
    }

    @Test("alerts queued during an outage reach the phone before a newer one, in order, saying when they happened")
    func orderAfterAnOutage() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let outageStart = Date().addingTimeInterval(-300)
        try await withFake { fake in
            fake.setDefaultReply(.http(status: 503, body: "busy"))
            for (offset, host) in ["web01", "web02"].enumerated() {
                let env = state.env(fake, now: outageStart.addingTimeInterval(Double(offset) * 60))
                let result = try await CLI.run(Self.service(host, "HTTP", "WARNING") + ["--timeout", "1"], env: env)
                #expect(result.exitCode == 75, "\(result.summary)")
            }
            // SMSPartner is back; before any flush, a new alert comes.
            fake.setDefaultReply(.accept)
            let now = try await CLI.run(Self.service("web03", "HTTP", "WARNING"), env: state.env(fake))
            #expect(now.exitCode == 0, "\(now.summary)")
            #expect(now.stdoutLines.filter { $0.hasPrefix("earlier: sent: ") }.count == 2, "\(now.summary)")
            let texts = fake.deliveredMessages.compactMap(\.message)
            #expect(texts.map(\.withoutTimeStamp) == ["web01", "web02", "web03"].map { "PROBLEM \($0)/HTTP WARNING: HTTP WARNING" }, "\(texts)")
            let stamp = { (date: Date) -> String in
                var time = time_t(date.timeIntervalSince1970)
                var parts = tm()
                localtime_r(&time, &parts)
                return String(format: "[%02d:%02d] ", parts.tm_hour, parts.tm_min)
            }
            #expect(texts.first?.hasPrefix(stamp(outageStart)) == true, "\(texts)")
            #expect(texts.dropFirst().first?.hasPrefix(stamp(outageStart.addingTimeInterval(60))) == true, "\(texts)")
            #expect(texts.last == texts.last?.withoutTimeStamp, "the new one is not late: \(texts)")
        }
    }
}
