/// How urgent an alert is, normalised from the many spellings of a `severity` label
/// (Prometheus conventions, syslog levels, Zabbix and incident-tool priorities).
///
/// The order is one of urgency: ``critical`` comes first and ``none`` last, so sorting
/// ascending puts the most severe alerts first (`critical < error < warning < info < none`).
public enum Severity: Int, Sendable, Equatable, Hashable, Comparable, CaseIterable {
    /// `critical`, `crit`, `page`, `emergency`, `emerg`, `alert`, `fatal`, `disaster`, `p1`.
    case critical = 0
    /// `error`, `err`, `high`, `major`, `p2`.
    case error = 1
    /// `warning`, `warn`, `medium`, `minor`, `average`, `p3`.
    case warning = 2
    /// `info`, `informational`, `low`, `notice`, `p4`, `p5`, `debug`.
    case info = 3
    /// No severity, or one this list does not know.
    case none = 4

    /// Normalises a severity as a source spells it: case-insensitive, surrounding whitespace
    /// ignored; nil, blank or unknown values are ``none``.
    public init(_ label: String?) {
        guard let label else { self = .none; return }
        switch label.trimmingWhitespace().lowercased() {
        case "critical", "crit", "page", "emergency", "emerg", "alert", "fatal", "disaster", "p1":
            self = .critical
        case "error", "err", "high", "major", "p2":
            self = .error
        case "warning", "warn", "medium", "minor", "average", "p3":
            self = .warning
        case "info", "informational", "low", "notice", "p4", "p5", "debug":
            self = .info
        default:
            self = .none
        }
    }

    /// The position in the urgency order: 0 for ``critical`` up to 4 for ``none``.
    public var rank: Int { rawValue }

    /// Whether `lhs` is more severe than `rhs`, i.e. sorts before it.
    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
