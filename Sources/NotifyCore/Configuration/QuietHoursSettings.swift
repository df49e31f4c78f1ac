import AlertModel
import NotifyState

/// Quiet hours for every recipient (`quiet_hours:`), and the receivers' own
/// (`receivers: {NAME: {to: [...], quiet_hours: ...}}`) for their numbers.
///
/// ```yaml
/// quiet_hours:
///   timezone: Europe/Paris
///   allow: [critical]          # severities still texted (Nagios/Icinga CRITICAL, DOWN, UNREACHABLE are critical)
///   windows:
///     - {days: mon-fri, from: "22:00", to: "07:00"}
///     - {days: sat-sun, from: "00:00", to: "24:00"}
/// receivers:
///   oncall: {to: ["+33600000001"], quiet_hours: off}      # never quiet
///   team: ["+33600000002"]                                # the top-level quiet_hours
/// ```
public struct QuietHoursSettings: Sendable, Equatable {
    /// Every recipient's quiet hours, unless a receiver lists the number with its own.
    public var everyone: QuietHours?
    /// By number (E.164): a receiver's own quiet hours (nil: `off`, never quiet).
    public var byNumber: [String: QuietHours?]

    public static let knownKeys = ["timezone", "allow", "windows"]

    public init(everyone: QuietHours? = nil, byNumber: [String: QuietHours?] = [:]) {
        self.everyone = everyone
        self.byNumber = byNumber
    }

    /// The quiet hours of `recipient` (E.164), if any.
    public func schedule(for recipient: String) -> QuietHours? {
        if let own = byNumber[recipient] { return own }
        return everyone
    }

    /// Whether any recipient has quiet hours.
    public var isConfigured: Bool {
        everyone != nil || byNumber.values.contains { $0 != nil }
    }

    /// `decision` once `recipient`'s quiet hours are applied: an alert the policy would send is
    /// held (``DecisionReason/quietHours``, `quiet hours until 07:00 (Europe/Paris)`) when it is
    /// quiet for them at `time` and their quiet hours do not allow it
    /// (``QuietHours/allows(_:latestAboutSubject:)``). So is one the policy holds (over a limit,
    /// or following a held alert) that quiet hours do not allow: it waits for the morning
    /// digest, not for the limit's window. An allowed one held by a limit keeps that reason (its
    /// digest may go at night); duplicates and stale copies stay what they are.
    public func apply(_ decision: PolicyDecision, to notification: AlertModel.Notification, latestAboutSubject latest: DeliveryRecord?,
                      recipient: String, at time: Timestamp) -> PolicyDecision {
        guard let schedule = schedule(for: recipient), let until = schedule.quietUntil(time) else { return decision }
        let detail = "quiet hours until \(schedule.describe(until, from: time))"
        switch decision {
        case .send, .hold:
            return schedule.allows(notification, latestAboutSubject: latest) ? decision : .hold(.quietHours, detail: detail)
        case .duplicate, .stale:
            return decision
        }
    }
}
