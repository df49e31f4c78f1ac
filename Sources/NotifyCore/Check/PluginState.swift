/// A Monitoring Plugins state: the word a check prints and the exit status it ends with.
///
/// Ordered by severity, for "worst state wins": OK, WARNING, UNKNOWN, CRITICAL (as Icinga 2
/// sorts them), so a problem that is known is never hidden by one that could not be judged.
public enum PluginState: Int32, Sendable, CaseIterable, Comparable {
    case ok = 0
    case warning = 1
    case critical = 2
    case unknown = 3

    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    public var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    var severity: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .unknown: 2
        case .critical: 3
        }
    }

    public static func < (lhs: PluginState, rhs: PluginState) -> Bool {
        lhs.severity < rhs.severity
    }
}
