/// How bad the news is: what the rate limits let through first (``isUrgent``) and how a digest
/// orders and names what it held (``digestRank``, ``digestStatus``).
extension Alert {
    /// How severe the state it reports is: a host DOWN or UNREACHABLE and a service CRITICAL
    /// are ``Severity/critical``, UNKNOWN ``Severity/error``, WARNING ``Severity/warning``, OK
    /// and UP ``Severity/info``; without a Nagios-style state, its `severity` (Alertmanager's
    /// label, the generic field).
    public var stateSeverity: Severity {
        switch state?.uppercased() {
        case "DOWN", "UNREACHABLE", "CRITICAL": .critical
        case "UNKNOWN": .error
        case "WARNING": .warning
        case "OK", "UP": .info
        default: Severity(severity)
        }
    }
}

extension Notification {
    /// Whether it reports a change to the worst state: a problem (PROBLEM, `firing`) with a
    /// host DOWN or UNREACHABLE, a service CRITICAL, or severity `critical` (for a group, any of
    /// its firing alerts). The rate limits never hold it behind less severe traffic: it has a
    /// budget of its own.
    public var isUrgent: Bool {
        alerts.contains { $0.kind == .problem && $0.stateSeverity == .critical }
    }

    /// Where a digest lists it, worst first: a problem by its severity (0 critical … 4 none),
    /// then acknowledgements, downtimes, flapping and the like (5), then recoveries (6).
    public var digestRank: Int {
        alerts.map { alert in
            switch alert.kind {
            case .problem: alert.stateSeverity.rank
            case .recovery: 6
            default: 5
            }
        }.min() ?? 5
    }

    /// What a digest says of it after its label: the state of a problem or a recovery (`DOWN`,
    /// `CRITICAL`, `OK`), Alertmanager's severity while firing (`CRITICAL`) or `RESOLVED`, and
    /// for other types the type (`ACK`, `DOWNTIME`, `FLAPPING`, `CUSTOM`).
    public var digestStatus: String? {
        guard alerts.count == 1 && truncatedAlerts == 0, let alert = alerts.first else {
            return status?.uppercased()
        }
        switch alert.kind {
        case .problem where source == .alertmanager:
            return alert.severity.map { $0.uppercased() } ?? "FIRING"
        case .recovery where source == .alertmanager:
            return "RESOLVED"
        case .problem, .recovery:
            return alert.state?.uppercased() ?? alert.kind.nagiosName
        case .acknowledgement: return "ACK"
        case .downtimeStart, .downtimeEnd, .downtimeCancelled: return "DOWNTIME"
        case .flappingStart, .flappingStop, .flappingDisabled: return "FLAPPING"
        case .custom: return "CUSTOM"
        case .other: return alert.state?.uppercased() ?? alert.notificationType?.uppercased()
        }
    }
}
