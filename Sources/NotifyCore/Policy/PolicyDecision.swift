import NotifyState

/// What the policy decided for one recipient of one alert.
public enum PolicyDecision: Sendable, Equatable {
    /// Send it now.
    case send
    /// Suppressed: the same alert in the same status went to this recipient already.
    case duplicate(of: DeliveryRecord)
    /// Over a limit (or following a held alert): held for the recipient's next digest.
    case hold(DecisionReason, detail: String)
    /// Suppressed: every alert it reports firing was resolved already (a late copy).
    case stale(detail: String)
}
