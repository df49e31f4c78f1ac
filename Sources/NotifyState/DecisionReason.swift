/// Why a delivery was not simply sent: the reason `status` counts suppressions by.
public enum DecisionReason: String, Sendable, CaseIterable, Codable {
    /// Same dedup key and status as an earlier delivery within `dedup_window`.
    case duplicate
    /// One of the recipient's `rate_limits` windows is full.
    case recipientLimit = "recipient_limit"
    /// The global `hourly_cap` is reached.
    case hourlyCap = "hourly_cap"
    /// The global `daily_cap` is reached.
    case dailyCap = "daily_cap"
    /// A recovery (or other follow-up) of an alert whose problem is itself held: it joins
    /// the digest rather than arrive alone.
    case followsHeld = "follows_held"
    /// An Alertmanager notification whose firing alerts were all resolved already: a late
    /// copy (an HA peer's, a retry's) overtaken by the resolution.
    case stale
    /// A source's ACKNOWLEDGEMENT notification to the one who acknowledged it by SMS reply:
    /// they know already.
    case ackedByReply = "acked_by_reply"
    /// Held by the recipient's quiet hours: it goes into the digest sent when they end.
    case quietHours = "quiet_hours"
}
