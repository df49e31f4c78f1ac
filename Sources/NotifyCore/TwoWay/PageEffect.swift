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

extension Notification {
    /// The subjects an Alertmanager notification says are resolved besides its own: each
    /// resolved alert's (`alertmanager:<fingerprint>`, the subject it had when it was alone in
    /// its group's SMS), and the group's (`alertmanager-group:<key>`) when the group resolved.
    /// A group's subject changes with its size, so a page opened under one is closed under it.
    public var resolvedSubjects: [String] {
        guard source == .alertmanager else { return [] }
        var subjects: [String] = []
        for alert in alerts where alert.notificationType?.lowercased() == "resolved" {
            if let subject = Notification(single: alert).subject, !subjects.contains(subject) { subjects.append(subject) }
        }
        if status?.lowercased() == "resolved", let key = groupKey ?? dedupKey {
            subjects.append("\(source.rawValue)-group:\(key)")
        }
        return subjects.filter { $0 != subject }
    }
}
