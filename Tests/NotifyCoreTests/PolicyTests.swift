import NotifyState
import Testing

@testable import NotifyCore

@Suite struct PolicyTests {
    static let now = Timestamp(milliseconds: 1_764_600_000_000)
    let policy = Policy()

    func sends(_ secondsAgo: [Int64]) -> [Timestamp] {
        secondsAgo.sorted(by: >).map { Self.now - .seconds($0) }
    }

    static func record(_ state: DeliveryState, id: Int64 = 7) -> DeliveryRecord {
        DeliveryRecord(id: id, messageID: 1, recipient: "+33600000000", createdAt: now - .seconds(60), updatedAt: now, state: state)
    }

    @Test func aFreshRecipientGetsTheAlert() {
        #expect(policy.decide(.init(), now: Self.now) == .send)
    }

    @Test func aDuplicateWinsOverEverything() {
        let history = Policy.RecipientHistory(
            recentSends: sends([1, 2, 3, 4, 5]), duplicate: Self.record(.sent), latestAboutSubject: Self.record(.held))
        #expect(policy.decide(history, now: Self.now) == .duplicate(of: Self.record(.sent)))
    }

    @Test func aCopyWhoseFiringAlertsWereAllResolvedIsStaleBeforeAnythingElse() {
        var history = Policy.RecipientHistory(recentSends: sends([1, 2, 3, 4, 5]), duplicate: Self.record(.sent))
        history.resolvedFiring = 2
        #expect(policy.decide(history, now: Self.now) == .stale(detail: "stale: its 2 firing alert(s) were resolved already"))
    }

    @Test func anAlertFollowingAHeldOneIsHeldToo() {
        let history = Policy.RecipientHistory(latestAboutSubject: Self.record(.held, id: 12))
        #expect(policy.decide(history, now: Self.now) == .hold(.followsHeld, detail: "follows #12, held for the digest"))
        // Once the held one went out in a digest, what follows is news again.
        #expect(policy.decide(.init(latestAboutSubject: Self.record(.digested)), now: Self.now) == .send)
    }

    @Test("every window of the default limits 5/15m, 11/1h, 21/3h", arguments: [
        ([Int64](repeating: 60, count: 4), true),
        ([Int64](repeating: 60, count: 5), false),
        ([Int64](repeating: 901, count: 10), true),  // outside 15 min
        ([Int64](repeating: 901, count: 11), false),  // but the hour is full
        ([Int64](repeating: 3601, count: 20), true),
        ([Int64](repeating: 3601, count: 21), false),  // the 3 hours are full
        ([Int64](repeating: 10_801, count: 100), true),  // all older than 3 hours
    ])
    func rateLimits(secondsAgo: [Int64], allowed: Bool) {
        let decision = policy.decide(.init(recentSends: sends(secondsAgo)), now: Self.now)
        if allowed {
            #expect(decision == .send)
        } else {
            guard case .hold(.recipientLimit, _) = decision else {
                Issue.record("expected a hold, got \(decision)")
                return
            }
        }
    }

    @Test func theHoldSaysWhichLimit() {
        let decision = policy.decide(.init(recentSends: sends([10, 20, 30, 40, 50])), now: Self.now)
        #expect(decision == .hold(.recipientLimit, detail: "5 in 15m, limit 5"))
    }

    @Test func globalCaps() {
        #expect(policy.decide(.init(globalLastHour: 99, globalLastDay: 499), now: Self.now) == .send)
        #expect(policy.decide(.init(globalLastHour: 100), now: Self.now) == .hold(.hourlyCap, detail: "100 to anyone in 1h, hourly_cap 100"))
        #expect(policy.decide(.init(globalLastHour: 5, globalLastDay: 500), now: Self.now) == .hold(.dailyCap, detail: "500 to anyone in 24h, daily_cap 500"))
        let uncapped = Policy(settings: PolicySettings(hourlyCap: nil, dailyCap: nil))
        #expect(uncapped.decide(.init(globalLastHour: 10_000, globalLastDay: 10_000), now: Self.now) == .send)
    }

    @Test func anUrgentAlertHasABudgetOfItsOwn() {
        // Five warnings filled the window: the next warning is held, a DOWN is not.
        var history = Policy.RecipientHistory(recentSends: sends([10, 20, 30, 40, 50]))
        #expect(policy.decide(history, now: Self.now) == .hold(.recipientLimit, detail: "5 in 15m, limit 5"))
        history.urgent = true
        #expect(policy.decide(history, now: Self.now) == .send)
        // Five DOWNs in the window: the sixth is held (a storm is still limited)…
        history.recentUrgentSends = sends([10, 20, 30, 40, 50])
        #expect(policy.decide(history, now: Self.now) == .hold(.recipientLimit, detail: "5 urgent in 15m, limit 5"))
        // …and the global caps count everything.
        history.recentUrgentSends = []
        history.globalLastHour = 100
        #expect(policy.decide(history, now: Self.now) == .hold(.hourlyCap, detail: "100 to anyone in 1h, hourly_cap 100"))
    }

    @Test func anUrgentAlertIsNotHeldBehindItsSubjectsHeldWarning() {
        var history = Policy.RecipientHistory(latestAboutSubject: Self.record(.held))
        #expect(policy.decide(history, now: Self.now) == .hold(.followsHeld, detail: "follows #7, held for the digest"))
        history.urgent = true
        #expect(policy.decide(history, now: Self.now) == .send)
        // A digest of an urgent alert is urgent too: it counts in, and is limited by, that budget.
        history.recentSends = sends([1, 2, 3, 4, 5])
        #expect(policy.blockingLimit(history, now: Self.now) == nil)
        history = history.adding(sendAt: Self.now, urgent: true)
        #expect(history.recentUrgentSends == [Self.now])
        history.urgent = false
        #expect(policy.blockingLimit(history, now: Self.now)?.0 == .recipientLimit, "any other SMS counts everything")
    }

    @Test func addingASendFillsTheWindow() {
        var history = Policy.RecipientHistory(recentSends: sends([1, 2, 3, 4]))
        #expect(policy.blockingLimit(history, now: Self.now) == nil)
        history = history.adding(sendAt: Self.now)
        #expect(policy.blockingLimit(history, now: Self.now)?.0 == .recipientLimit)
    }
}

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("90s", Duration.seconds(90)), ("15m", .seconds(900)), ("1h", .seconds(3600)), ("1h30m", .seconds(5400)),
        ("7d", .seconds(604_800)), ("250ms", .milliseconds(250)), (" 2m ", .seconds(120)),
    ])
    func parses(_ text: String, _ duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["", "15", "m", "15 m", "-5m", "1.5h", "0s", "10y", "1h 30m", "9999999999s"])
    func refuses(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func formatsShortest() {
        #expect(DurationText.format(.seconds(900)) == "15m")
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.seconds(86_400)) == "1d")
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationText.format(.zero) == "0s")
    }

    @Test func rateLimits() {
        #expect(RateLimit(parsing: "5/15m") == RateLimit(count: 5, window: .seconds(900)))
        #expect(RateLimit(parsing: "5/15m")?.description == "5 in 15m")
        for bad in ["5", "/15m", "0/1h", "5/", "5/15", "a/1h", "5/1h/2"] {
            #expect(RateLimit(parsing: bad) == nil, "\(bad)")
        }
    }
}
