import NotifyCore
import NotifyState
import SMSPartner
import Testing

/// `check`'s judgement on given facts: limits reached exactly, the worst state, the order of
/// the summary, and text from outside kept on one line.
@Suite("check: the judgement")
struct HealthCheckTests {
    static let now = Timestamp(milliseconds: 1_800_000_000_000)

    static func account(_ credits: Int) -> CreditsFact {
        .account(Account(username: nil, creditSMS: credits, creditSMSEco: nil, balance: nil, currency: nil))
    }

    static func reading(queued: Int = 0, oldest: Duration? = nil, lastSent: Duration? = nil, firstUnsent: Duration? = nil,
                        receipts: ReceiptSummary = ReceiptSummary()) -> StoreFacts {
        .read(StoreFacts.Reading(
            snapshot: StatusSnapshot(now: now, queued: queued, oldestQueued: oldest.map { now - $0 }, lastSent: lastSent.map { now - $0 }),
            receipts: receipts, firstUnsent: firstUnsent.map { now - $0 }))
    }

    static func report(_ credits: CreditsFact = account(1000), _ store: StoreFacts = reading()) -> CheckReport {
        HealthCheck.report(credits: credits, store: store, thresholds: CheckThresholds(), now: now)
    }

    @Test("credits: OK above the warning limit, WARNING at it, CRITICAL at the critical one")
    func creditLimits() {
        #expect(Self.report(Self.account(201)).state == .ok)
        #expect(Self.report(Self.account(200)).state == .warning)
        #expect(Self.report(Self.account(51)).state == .warning)
        #expect(Self.report(Self.account(50)).state == .critical)
        #expect(Self.report(Self.account(50)).summary.hasPrefix("SMSPARTNER CRITICAL - credits 50 <= 50, outbox empty, "))
    }

    @Test("a refused key or account is CRITICAL, no answer UNKNOWN")
    func creditFailures() {
        let refused = SMSPartnerError.rejected(code: 30, message: "Compte désactivé", fieldErrors: [], httpStatus: 400)
        #expect(Self.report(.failed(refused)).state == .critical)
        #expect(Self.report(.failed(.httpStatus(401, excerpt: ""))).state == .critical)
        #expect(Self.report(.failed(.httpStatus(503, excerpt: ""))).state == .unknown)
        #expect(Self.report(.failed(.transport(.timedOut("slow")))).state == .unknown)
        #expect(Self.report(.noKey("no key")).state == .unknown)
    }

    @Test("the worst state wins, CRITICAL over UNKNOWN over WARNING, and the items not OK come first, worst first")
    func worstFirst() {
        let report = Self.report(.noKey("no key"), Self.reading(queued: 25, oldest: .seconds(3700)))
        #expect(report.state == .critical)
        #expect(report.summary.hasPrefix("SMSPARTNER CRITICAL - outbox oldest 1h1m40s >= 1h, credits not checked: no key, queued 25 >= 20, "))
        #expect(PluginState.allCases.sorted() == [.ok, .warning, .unknown, .critical])
    }

    @Test("last success: nothing due is OK however old; due deliveries count from the first of them")
    func lastSuccess() {
        #expect(Self.report(Self.account(1000), Self.reading(lastSent: .seconds(30 * 86_400))).state == .ok)
        let failing = Self.report(Self.account(1000), Self.reading(lastSent: .seconds(30 * 86_400), firstUnsent: .seconds(7200)))
        #expect(failing.state == .critical)
        #expect(failing.summary.hasPrefix("SMSPARTNER CRITICAL - no success for 2h >= 2h (last success 30d ago), "))
        #expect(failing.summary.contains(" last_success=7200s;1800;7200;0; "))
        let justQueued = Self.report(Self.account(1000), Self.reading(queued: 1, oldest: .seconds(2), lastSent: .seconds(86_400), firstUnsent: .seconds(2)))
        #expect(justQueued.state == .ok, "\(justQueued.summary)")
    }

    @Test("undelivered share and missing reports, at their limits exactly")
    func delivery() {
        let quarter = ReceiptSummary(counts: [.delivered: 3, .notDelivered: 1])
        let undelivered = Self.report(Self.account(1000), Self.reading(receipts: quarter))
        #expect(undelivered.state == .critical)
        #expect(undelivered.summary.hasPrefix("SMSPARTNER CRITICAL - undelivered 25% >= 25% (1 of 4 in 24h), "))
        let missing = Self.report(Self.account(1000), Self.reading(receipts: ReceiptSummary(counts: [.expired: 4, .accepted: 9], stale: 6)))
        #expect(missing.state == .warning)
        #expect(missing.summary.contains("no report 10 >= 10"))
    }

    @Test("a store that cannot be used: CRITICAL, its items undetermined in the perfdata")
    func unusableStore() {
        let report = Self.report(Self.account(1000), .unusable(.full(path: "/var/lib/smspartner-notify/state.db")))
        #expect(report.state == .critical)
        #expect(report.summary.hasPrefix("SMSPARTNER CRITICAL - store: no space left for the state database /var/lib/smspartner-notify/state.db"))
        #expect(report.summary.contains("oldest_queued=U;600;3600;0; queued=U;20;100;0;"))
        #expect(report.summary.hasSuffix("store=0;;1:;0;1"))
    }

    @Test("text from outside stays on the line: line breaks and controls become spaces, | becomes /")
    func escaping() {
        let hostile = SMSPartnerError.rejected(code: 10, message: "bad\nkey | SMSPARTNER OK\u{1B}[2J", fieldErrors: [], httpStatus: 400)
        let summary = Self.report(.failed(hostile)).summary
        #expect(!summary.contains("\n") && !summary.contains("\u{1B}"))
        #expect(summary.components(separatedBy: " | ").count == 2, "\(summary)")
        #expect(summary.contains("bad key / SMSPARTNER OK [2J"), "\(summary)")
    }

    @Test("watchdog: with a deadman: section, absent until one is heard; each cluster's last one; silent for deadman.timeout is CRITICAL")
    func watchdog() {
        func report(_ ages: [String: Duration], configured: Bool = true) -> CheckReport {
            var deadman = DeadmanSettings(timeout: .seconds(600))
            deadman.isConfigured = configured
            var snapshot = StatusSnapshot(now: Self.now)
            snapshot.heartbeats = ages.sorted { $0.key < $1.key }.map { Heartbeat(cluster: $0.key, lastSeen: Self.now - $0.value) }
            return HealthCheck.report(credits: Self.account(1000),
                                      store: .read(StoreFacts.Reading(snapshot: snapshot, receipts: ReceiptSummary(), firstUnsent: nil)),
                                      thresholds: CheckThresholds(), now: Self.now, deadman: deadman)
        }
        #expect(!report([:]).summary.contains("watchdog"))
        #expect(report(["https://am.example.org": .seconds(7200)], configured: false).state == .ok, "no deadman: section, nothing judged")
        let heard = report(["https://am.example.org": .seconds(599)])
        #expect(heard.state == .ok)
        #expect(heard.summary.contains("watchdog heard 9m59s ago"), "\(heard.summary)")
        #expect(heard.summary.contains("watchdog_age=599s;;600;0;"), "\(heard.summary)")
        let silent = report(["https://am.example.org": .seconds(600), "https://am2.example.org": .seconds(30)])
        #expect(silent.state == .critical)
        #expect(silent.summary.hasPrefix("SMSPARTNER CRITICAL - no Watchdog from https://am.example.org for 10m >= 10m"), "\(silent.summary)")
    }

    @Test("contradicting limits are refused")
    func problems() {
        var limits = CheckThresholds()
        #expect(limits.problem == nil)
        limits.credits = .init(warning: 10, critical: 20)
        #expect(limits.problem == "--credits-warning must be at least --credits-critical")
        limits = CheckThresholds()
        limits.undelivered = .init(warning: 10, critical: 120)
        #expect(limits.problem != nil)
    }
}
