import Foundation
import NotifyState
import SMSPartner
import SMSPartnerTesting
import SMSText
import TestSupport
import Testing

@testable import NotifyCore

/// The dead man's switch on a real SQLite store, with a clock the test moves; what it queues
/// is delivered by the outbox to the fake SMSPartner.
@Suite struct DeadmanSwitchTests {
    static let cluster = "https://am.example.org"
    static let alice = "+33611111111"
    static let bob = "+33622222222"
    static let timeout = Duration.seconds(600)

    struct Harness {
        let fake: FakeSMSPartner
        let clock: OutboxTests.TestClock
        let directory: String
        let policy: PolicySettings
        let sender: Delivery

        /// A switch on a store handle of its own (another `serve` process), started `startedAt`
        /// (now when nil).
        func deadman(to numbers: [String] = [DeadmanSwitchTests.alice], startedAt: Timestamp? = nil) throws -> DeadmanSwitch {
            let store = try SQLiteStateStore(directory: directory, concurrentReads: true)
            let clock = clock
            let outbox = Outbox(store: store, policy: Policy(settings: policy), digests: DigestComposer(renderer: MessageRenderer()),
                                owner: "test:\(UUID().uuidString.prefix(6))", now: { clock.now })
            let settings = DeadmanSettings(timeout: DeadmanSwitchTests.timeout, to: try numbers.map { try PhoneNumber(parsing: $0) })
            return DeadmanSwitch(settings: settings, outbox: outbox, startedAt: startedAt ?? clock.now)
        }

        /// Delivers what is queued; the texts SMSPartner got so far, one per number.
        func deliver(_ deadman: DeadmanSwitch) async throws -> [String] {
            let outbox = deadman.outbox
            let sender = sender
            _ = try await OwnThread.run { try outbox.flush(sender: sender, within: .seconds(5), lease: .seconds(60)) }
            return fake.deliveredMessages.flatMap { sent in sent.numbers.map { _ in sent.message ?? "" } }
        }

        func heartbeats(_ deadman: DeadmanSwitch) throws -> [Heartbeat] {
            try deadman.outbox.store.read { (reader) throws(StateError) in try reader.heartbeats() }
        }
    }

    func withDeadman(_ policy: PolicySettings = PolicySettings(), _ body: (Harness) async throws -> Void) async throws {
        let fake = try await FakeSMSPartner.start()
        let directory = try TemporaryDirectory(prefix: "deadman")
        defer { directory.remove() }
        do {
            let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "test")
            try await body(Harness(fake: fake, clock: OutboxTests.TestClock(), directory: directory.root, policy: policy,
                                   sender: Delivery(client: client, policy: OutboxTests.quickRetry)))
            try await fake.shutdown()
        } catch {
            try? await fake.shutdown()
            throw error
        }
    }

    @Test func aSilenceIsTextedOnceAndTheReturnOnce() async throws {
        try await withDeadman { h in
            let deadman = try h.deadman(to: [Self.alice, Self.bob])
            let lastSeen = h.clock.now
            #expect(try deadman.heard([Self.cluster]).recorded == [Self.cluster])
            h.clock.advance(Self.timeout - .seconds(1))
            #expect(try deadman.judge().events.isEmpty, "not silent for the whole timeout yet")
            h.clock.advance(.seconds(1))
            let silent = try deadman.judge()
            #expect(silent.events.map(\.change) == [.silent])
            #expect(silent.events.first?.decisions.count == 2)
            #expect(silent.silent == 1 && silent.clusters == 1)
            let alarm = "DEADMAN Alertmanager https://am.example.org silent since \(lastSeen.localTimeOfDay) (no Watchdog for 10m)"
            #expect(try await h.deliver(deadman) == [alarm, alarm])
            #expect(Set(h.fake.deliveredMessages.flatMap(\.numbers)) == [Self.alice, Self.bob])
            h.clock.advance(.seconds(3600))
            #expect(try deadman.judge().events.isEmpty, "once per silence")
            #expect(try await h.deliver(deadman).count == 2)

            let back = try deadman.heard([Self.cluster])
            #expect(back.events.map(\.change) == [.back])
            let restored = "RESTORED Alertmanager https://am.example.org Watchdog back at \(h.clock.now.localTimeOfDay) "
                + "(silent since \(lastSeen.localTimeOfDay))"
            #expect(try await h.deliver(deadman) == [alarm, alarm, restored, restored])
            #expect(try deadman.heard([Self.cluster]).events.isEmpty, "once per return")
            h.clock.advance(Self.timeout - .seconds(1))
            #expect(try deadman.judge().events.isEmpty)
            #expect(try await h.deliver(deadman).count == 4)
            let heartbeat = try h.heartbeats(deadman).first
            #expect(heartbeat?.alarmAt == nil)
            #expect(heartbeat?.restoredAt != nil)
        }
    }

    @Test func aRestartedServerWaitsAWholeTimeoutBeforeJudging() async throws {
        try await withDeadman { h in
            _ = try h.deadman().heard([Self.cluster])
            // The server was down for an hour: the Watchdog went nowhere meanwhile.
            h.clock.advance(.seconds(3600))
            let restarted = try h.deadman(startedAt: h.clock.now)
            #expect(try restarted.judge().events.isEmpty, "no false alarm at start")
            #expect(try restarted.judge().silent == 0)
            h.clock.advance(Self.timeout - .seconds(1))
            #expect(try restarted.judge().events.isEmpty)
            h.clock.advance(.seconds(1))
            #expect(try restarted.judge().events.map(\.change) == [.silent], "still silent a whole timeout after the start")
            #expect(try await h.deliver(restarted).count == 1)
            // The restarted server after the alarm: no second one, the return is texted.
            let again = try h.deadman(startedAt: h.clock.now)
            h.clock.advance(Self.timeout * 2)
            #expect(try again.judge().events.isEmpty)
            #expect(try again.heard([Self.cluster]).events.map(\.change) == [.back])
            #expect(try await h.deliver(again).map { $0.prefix(9) } == ["DEADMAN A", "RESTORED "])
        }
    }

    /// Runs `first` and `second` at once while a third process holds the write lock: both read
    /// what they decide on before either may write.
    func race<T: Sendable>(_ h: Harness, _ first: @escaping @Sendable () throws -> [T], _ second: @escaping @Sendable () throws -> [T])
        async throws -> [T]
    {
        let holder = try SQLiteStateStore(directory: h.directory)
        async let hold: Void = OwnThread.run {
            try holder.write { (_) throws(StateError) in Thread.sleep(forTimeInterval: 0.4) }
        }
        try await Task.sleep(for: .milliseconds(100))
        async let one = OwnThread.run(first)
        async let two = OwnThread.run(second)
        let results = try await one + two
        try await hold
        return results
    }

    @Test func twoServersJudgingAtOnceTextOnce() async throws {
        try await withDeadman { h in
            let first = try h.deadman()
            let second = try h.deadman()
            _ = try first.heard([Self.cluster])
            h.clock.advance(Self.timeout)
            let silences = try await race(h, { try first.judge().events }, { try second.judge().events })
            #expect(silences.count == 1)
            #expect(try await h.deliver(first).count == 1)
            let returns = try await race(h, { try first.heard([Self.cluster]).events }, { try second.heard([Self.cluster]).events })
            #expect(returns.count == 1)
            #expect(try await h.deliver(second).count == 2)
        }
    }

    @Test func nobodyToTextRecordsAndShowsOnly() async throws {
        try await withDeadman { h in
            let deadman = try h.deadman(to: [])
            _ = try deadman.heard([Self.cluster])
            h.clock.advance(Self.timeout * 3)
            let report = try deadman.judge()
            #expect(report.events.isEmpty)
            #expect(report.silent == 1)
            #expect(try deadman.heard([Self.cluster]).events.isEmpty)
            #expect(try await h.deliver(deadman).isEmpty)
            #expect(try h.heartbeats(deadman).map(\.alarmAt) == [nil])
        }
    }

    @Test func theAlarmPassesFullRateLimitsButNotDeduplication() async throws {
        try await withDeadman(PolicySettings(rateLimits: [RateLimit(count: 1, window: .seconds(3600))], hourlyCap: 1)) { h in
            let deadman = try h.deadman(to: [Self.alice, Self.bob], startedAt: h.clock.now - Self.timeout)
            let key = "deadman:" + Self.cluster
            // Alice's window and the global cap are full; Bob got this very alarm a minute ago.
            let time = h.clock.now
            try deadman.outbox.store.write { (tx) throws(StateError) in
                let message = try tx.insert(NewMessage(kind: .alert, text: "disk full"), at: time)
                _ = try tx.insert(NewDelivery(messageID: message, recipient: Self.alice, state: .sent, dedupKey: "disk"), at: time)
                let alarm = try tx.insert(NewMessage(kind: .deadman, text: "DEADMAN earlier"), at: time)
                _ = try tx.insert(NewDelivery(messageID: alarm, recipient: Self.bob, state: .sent, dedupKey: key, status: "silent",
                                              subject: key), at: time)
                try tx.recordHeartbeat(cluster: Self.cluster, at: time - Self.timeout)
            }
            h.clock.advance(.seconds(60))
            let decisions = try deadman.judge().events.flatMap(\.decisions)
            #expect(decisions.map(\.recipient.e164) == [Self.alice, Self.bob])
            guard case .send = decisions.first?.decision, case .duplicate = decisions.last?.decision else {
                Issue.record("expected Alice queued past her limit, Bob's a duplicate: \(decisions)")
                return
            }
            _ = try await h.deliver(deadman)
            #expect(h.fake.deliveredMessages.map(\.numbers) == [[Self.alice]])
        }
    }

    @Test func newClustersBeyondTheBoundAreIgnored() async throws {
        try await withDeadman { h in
            let deadman = try h.deadman()
            let many = (0..<DeadmanSwitch.maxClusters).map { "https://am\($0).example.org" }
            #expect(try deadman.heard(many).recorded.count == DeadmanSwitch.maxClusters)
            let more = try deadman.heard(["https://hostile.example.org", many[0]])
            #expect(more.ignored == ["https://hostile.example.org"])
            #expect(more.recorded == [many[0]], "a known cluster is still heard")
            #expect(try h.heartbeats(deadman).count == DeadmanSwitch.maxClusters)
        }
    }

    @Test func theTextFitsOneGSM7SMSWhateverTheURL() {
        let now = Timestamp(milliseconds: 1_764_600_000_000)
        let long = "https://" + String(repeating: "trêve-longue.", count: 40) + "example.org/\u{1B}[31m/"
        let text = DeadmanText.silent(cluster: long, lastSeen: now - .seconds(900), timeout: .seconds(600), alertname: "Watchdog", now: now)
        let message = SMSMessage(text)
        #expect(message.encoding == .gsm7)
        #expect(message.measure().segments == 1)
        #expect(text.hasPrefix("DEADMAN Alertmanager https://treve-longue."), "\(text)")
        #expect(text.hasSuffix("... silent since \((now - .seconds(900)).localTimeOfDay) (no Watchdog for 10m)"), "\(text)")
        let escaped = DeadmanText.back(cluster: "https://am\u{1B}[2J.example.org/", alertname: "Watchdog", now: now, silentSince: now - .seconds(86_400 * 2))
        #expect(escaped.hasPrefix(#"RESTORED Alertmanager https://am\x1B[2J.example.org Watchdog back at "#), "\(escaped)")
        #expect(escaped.hasSuffix("(silent since \(String((now - .seconds(86_400 * 2)).localDateTime.prefix(16))))"), "\(escaped)")
    }
}
