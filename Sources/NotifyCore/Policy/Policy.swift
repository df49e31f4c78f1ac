import NotifyState

/// The decisions of the policy step, as pure functions of what the store knows: duplicate,
/// held (over a limit, or following a held alert), or sent.
///
/// ``RecipientHistory`` carries the facts; ``Outbox`` gathers them inside the store's write
/// transaction and records what these functions decide.
public struct Policy: Sendable, Equatable {
    public var settings: PolicySettings

    public init(settings: PolicySettings = PolicySettings()) {
        self.settings = settings
    }

    /// What the store knows about one recipient (and everyone), as of one decision.
    public struct RecipientHistory: Sendable, Equatable {
        /// When this recipient's counted SMS were decided (``DeliveryState/countedTowardLimits``),
        /// over the longest rate-limit window, oldest first.
        public var recentSends: [Timestamp]
        /// Counted SMS to anyone over the last hour and the last 24 hours.
        public var globalLastHour: Int
        public var globalLastDay: Int
        /// The earlier delivery this alert would duplicate (see
        /// ``StateTransaction/duplicateOf(recipient:dedupKey:status:subject:since:)``).
        public var duplicate: DeliveryRecord?
        /// The latest decision about the same subject.
        public var latestAboutSubject: DeliveryRecord?
        /// How many alert instances the alert reports firing that were resolved already, when
        /// that is all of them (see `Notification.alertInstances`); nil otherwise.
        public var resolvedFiring: Int?
        /// The alert reports a change to the worst state (`Notification.isUrgent`): the
        /// per-recipient limits count only ``recentUrgentSends`` for it, and a held alert about
        /// the same subject does not hold it.
        public var urgent = false
        /// When this recipient's counted urgent SMS were decided (filled only for an urgent
        /// alert), oldest first.
        public var recentUrgentSends: [Timestamp] = []

        public init(recentSends: [Timestamp] = [], globalLastHour: Int = 0, globalLastDay: Int = 0,
                    duplicate: DeliveryRecord? = nil, latestAboutSubject: DeliveryRecord? = nil) {
            self.recentSends = recentSends
            self.globalLastHour = globalLastHour
            self.globalLastDay = globalLastDay
            self.duplicate = duplicate
            self.latestAboutSubject = latestAboutSubject
        }

        /// The history once one more SMS (a digest, `urgent` when it holds an urgent alert) is
        /// decided at `time`.
        public func adding(sendAt time: Timestamp, urgent: Bool = false) -> RecipientHistory {
            var history = self
            history.recentSends.append(time)
            if urgent { history.recentUrgentSends.append(time) }
            history.globalLastHour += 1
            history.globalLastDay += 1
            return history
        }
    }

    /// The decision for an alert: a duplicate first (it costs nothing), then an alert that
    /// follows a held one about the same subject (a recovery joins its problem in the
    /// digest), then the limits.
    ///
    /// Severity: an urgent alert (a host DOWN or UNREACHABLE, a service CRITICAL, severity
    /// `critical`) has a per-recipient budget of its own. Every window of `rate_limits` counts,
    /// for it, only the urgent SMS the recipient got; for any other alert (and a digest), every
    /// SMS. So warnings never hold a DOWN back, a storm of DOWNs is still limited, and one phone
    /// gets at most twice each window's count (its urgent budget, then the rest). The global
    /// caps (`hourly_cap`, `daily_cap`) count everything, for every alert.
    public func decide(_ history: RecipientHistory, now: Timestamp) -> PolicyDecision {
        if let resolved = history.resolvedFiring {
            return .stale(detail: "stale: its \(resolved) firing alert(s) were resolved already")
        }
        if let duplicate = history.duplicate {
            return .duplicate(of: duplicate)
        }
        if !history.urgent, let latest = history.latestAboutSubject, latest.state == .held {
            return .hold(.followsHeld, detail: "follows #\(latest.id), held for the digest")
        }
        if let (reason, detail) = blockingLimit(history, now: now) {
            return .hold(reason, detail: detail)
        }
        return .send
    }

    /// The first limit that leaves no room for one more SMS to this recipient now, if any
    /// (for an urgent alert, its own budget: see ``decide(_:now:)``).
    public func blockingLimit(_ history: RecipientHistory, now: Timestamp) -> (DecisionReason, String)? {
        let counted = history.urgent ? history.recentUrgentSends : history.recentSends
        for limit in settings.rateLimits {
            let since = now - limit.window
            let used = counted.count(where: { $0 > since })
            if used >= limit.count {
                let what = history.urgent ? " urgent" : ""
                return (.recipientLimit, "\(used)\(what) in \(DurationText.format(limit.window)), limit \(limit.count)")
            }
        }
        if let cap = settings.hourlyCap, history.globalLastHour >= cap {
            return (.hourlyCap, "\(history.globalLastHour) to anyone in 1h, hourly_cap \(cap)")
        }
        if let cap = settings.dailyCap, history.globalLastDay >= cap {
            return (.dailyCap, "\(history.globalLastDay) to anyone in 24h, daily_cap \(cap)")
        }
        return nil
    }
}
