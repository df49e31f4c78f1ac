import AlertModel

/// What a notification does to the pages of its subject (two-way paging).
public enum PageEffect: Sendable, Equatable {
    /// A problem: the SMS carries a reply code and opens (or refreshes) each recipient's page.
    case opens
    /// A recovery: the subject's pages are resolved (no code).
    case closes
    /// A source's acknowledgement (Nagios, Icinga `ACKNOWLEDGEMENT`): the subject's open pages
    /// are acknowledged (by its author), which stops their escalation. No code.
    case acknowledges
    /// Anything else (flapping, downtime…): no code, no change.
    case none

    public init(_ notification: Notification) {
        let kind = notification.source == .alertmanager
            ? NotificationKind(notification.status ?? notification.alerts.first?.notificationType)
            : (notification.alerts.first?.kind ?? .other)
        switch kind {
        case .problem: self = .opens
        case .other: self = notification.source == .generic ? .opens : .none
        case .recovery: self = .closes
        case .acknowledgement: self = .acknowledges
        default: self = .none
        }
    }
}
