/// A notification type, normalised across sources: Nagios' and Icinga's types and
/// Alertmanager's `firing`/`resolved` map onto one set.
public enum NotificationKind: String, Sendable, Equatable, CaseIterable {
    /// PROBLEM, Alertmanager `firing`, a generic `problem`/`firing`/`critical`…
    case problem
    /// RECOVERY, Alertmanager `resolved`, a generic `ok`/`resolved`…
    case recovery
    case acknowledgement
    /// FLAPPINGSTART.
    case flappingStart
    /// FLAPPINGSTOP, Icinga's FLAPPINGEND.
    case flappingStop
    case flappingDisabled
    case downtimeStart
    /// DOWNTIMEEND, Icinga's DOWNTIMEEND/DOWNTIMEREMOVED.
    case downtimeEnd
    case downtimeCancelled
    case custom
    /// Anything else, or no type at all.
    case other

    /// Normalises a type as a source names it (case-insensitive; `-`, `_` and spaces ignored).
    public init(_ type: String?) {
        guard let type else { self = .other; return }
        let key = String(type.lowercased().filter { $0.isLetter })
        switch key {
        case "problem", "firing", "alert", "alerting", "critical", "down", "warning", "error", "fail", "failed", "failure":
            self = .problem
        case "recovery", "resolved", "recovered", "ok", "up", "clear", "cleared":
            self = .recovery
        case "acknowledgement", "acknowledgment", "ack", "acknowledged":
            self = .acknowledgement
        case "flappingstart":
            self = .flappingStart
        case "flappingstop", "flappingend":
            self = .flappingStop
        case "flappingdisabled":
            self = .flappingDisabled
        case "downtimestart":
            self = .downtimeStart
        case "downtimeend", "downtimeremoved":
            self = .downtimeEnd
        case "downtimecancelled", "downtimecanceled":
            self = .downtimeCancelled
        case "custom":
            self = .custom
        default:
            self = .other
        }
    }

    /// The Nagios spelling: `PROBLEM`, `RECOVERY`, `FLAPPINGSTART`… (`OTHER` for ``other``).
    public var nagiosName: String {
        switch self {
        case .problem: "PROBLEM"
        case .recovery: "RECOVERY"
        case .acknowledgement: "ACKNOWLEDGEMENT"
        case .flappingStart: "FLAPPINGSTART"
        case .flappingStop: "FLAPPINGSTOP"
        case .flappingDisabled: "FLAPPINGDISABLED"
        case .downtimeStart: "DOWNTIMESTART"
        case .downtimeEnd: "DOWNTIMEEND"
        case .downtimeCancelled: "DOWNTIMECANCELLED"
        case .custom: "CUSTOM"
        case .other: "OTHER"
        }
    }
}
