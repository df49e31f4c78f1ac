import AlertModel
import NotifyState
import SMSPartner
import SMSText

/// Flushing the outbox: expiry, leases of dead senders taken back, due digests, and what
/// is due delivered.
extension Outbox {
    /// Delivers what is due, until nothing is, `limit` deliveries were tried, `budget` is
    /// spent, or a transient failure says SMSPartner is still unavailable.
    public func flush(limit: Int = Outbox.defaultFlushLimit, sender: Delivery, within budget: Duration, lease: Duration) throws(StateError) -> FlushReport {
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var report = FlushReport()
        while report.results.count < limit, deadline - clock.now > sender.policy.minimumAttempt {
            let time = now()
            let step = try store.write { (tx) throws(StateError) -> (claims: [ClaimedDelivery], expired: Int, released: Int, digests: Int) in
                let released = try tx.releaseExpiredLeases(at: time)
                let expired = try tx.expireQueued(decidedBefore: time - policy.settings.maxAge, at: time)
                let digests = try queueDueDigests(in: tx, at: time)
                try pruneIfDue(in: tx, at: time)
                let claims = try tx.claimDue(limit: min(limit - report.results.count, SMSPartnerClient.maxNumbersPerRequest),
                                             owner: owner, leaseUntil: time + lease, at: time)
                return (claims, expired, released, digests)
            }
            report.expired += step.expired
            report.released += step.released
            report.digests += step.digests
            guard !step.claims.isEmpty else { break }
            let results = try deliver(step.claims, with: sender, within: deadline - clock.now, waitForLookup: false)
            report.results += results
            if results.contains(where: \.isQueued) { break }
        }
        report.remaining = try store.read { (reader) throws(StateError) in
            try reader.statusSnapshot(now: now(), windows: [], latest: 0).queued
        }
        return report
    }

    /// Queues (pending, due now) the digest of every recipient whose held alerts may go out.
    func queueDueDigests(in tx: any StateTransaction, at time: Timestamp) throws(StateError) -> Int {
        var queued = 0
        var (globalHour, globalDay) = try globalSendCounts(in: tx, at: time)
        for recipient in try tx.recipientsWithHeldEntries() {
            let history = try self.history(of: recipient, about: nil, in: tx, at: time, globalLastHour: globalHour, globalLastDay: globalDay)
            let held = digestible(try freshHeldEntries(of: recipient, in: tx, at: time), for: recipient, at: time)
            guard !held.isEmpty, try digestMayGo(held, history: history, to: recipient, in: tx, at: time) else { continue }
            _ = try queueDigest(held, for: recipient, in: tx, at: time, claimUntil: nil)
            queued += 1
            globalHour += 1
            globalDay += 1
        }
        return queued
    }

    /// `recipient`'s held deliveries, once those whose digest would come too late are expired:
    /// held by quiet hours that ended longer than `max_age` ago (nothing flushed since, `serve`
    /// was down). Never sent late, like a queued SMS past `max_age`.
    func freshHeldEntries(of recipient: String, in tx: any StateTransaction, at time: Timestamp) throws(StateError) -> [HeldEntry] {
        let held = try tx.heldEntries(of: recipient)
        guard let schedule = quietHours.schedule(for: recipient) else { return held }
        let late = held.filter { entry in
            guard entry.reason == .quietHours, let end = schedule.quietUntil(entry.createdAt) else { return false }
            return end <= time && time - end > policy.settings.maxAge
        }
        try tx.expireHeld(late.map(\.deliveryID), at: time)
        return held.filter { entry in !late.contains(entry) }
    }

    /// What of `held` a digest to `recipient` may carry at `time`: during their quiet hours, not
    /// what quiet hours hold (a critical held by a rate limit may go at night, the warnings wait
    /// for the morning).
    func digestible(_ held: [HeldEntry], for recipient: String, at time: Timestamp) -> [HeldEntry] {
        guard let schedule = quietHours.schedule(for: recipient), schedule.isQuiet(at: time) else { return held }
        return held.filter { $0.reason != .quietHours }
    }

    /// How long finished deliveries are kept (for dedup, limits and `status`).
    public static let retention = Duration.seconds(7 * 86_400)
    static let pruneInterval = Duration.seconds(3600)

    /// Prunes old rows at most once an hour.
    func pruneIfDue(in tx: any StateTransaction, at time: Timestamp) throws(StateError) {
        let last = try tx.value("last_prune").flatMap(Int64.init).map(Timestamp.init(milliseconds:))
        if let last, time - last < Self.pruneInterval, last <= time { return }
        _ = try tx.prune(decidedBefore: time - Self.retention)
        try tx.setValue(String(time.milliseconds), for: "last_prune")
    }
}
