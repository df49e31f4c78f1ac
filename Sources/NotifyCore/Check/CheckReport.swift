/// What `check` prints and exits with: every item judged, the worst state wins.
///
/// ```
/// SMSPARTNER CRITICAL - credits 42 <= 50, outbox oldest 1h15m >= 1h, queued 3, … | credits=42;200;50;0; queued=3;20;100;0; …
/// ```
public struct CheckReport: Sendable, Equatable {
    /// The prefix of the summary, as the guidelines have a plugin name its service.
    public static let serviceName = "SMSPARTNER"

    public var items: [CheckItem]

    public init(items: [CheckItem]) {
        self.items = items
    }

    /// A check that judged nothing: one UNKNOWN item (wrong usage, out of time).
    public static func unknown(_ name: String, _ text: String) -> CheckReport {
        CheckReport(items: [CheckItem(name, .unknown, text)])
    }

    /// The worst state of the items (OK with none).
    public var state: PluginState {
        items.map(\.state).max() ?? .ok
    }

    /// The items not OK, worst first, then the OK ones, each in its own order.
    public var ordered: [CheckItem] {
        let problems = items.enumerated().filter { $0.element.state != .ok }
            .sorted { $0.element.state != $1.element.state ? $0.element.state > $1.element.state : $0.offset < $1.offset }
            .map(\.element)
        return problems + items.filter { $0.state == .ok }
    }

    /// The summary line: `SMSPARTNER STATE - item, item | perfdata`. Items are separated by
    /// commas: Nagios turns every `;` of plugin output into `:` (its files' separator).
    public var summary: String {
        let texts = ordered.map(\.text).filter { !$0.isEmpty }.joined(separator: ", ")
        let perf = items.flatMap(\.perfData).map(\.text).joined(separator: " ")
        return "\(Self.serviceName) \(state.label) - \(texts)" + (perf.isEmpty ? "" : " | \(perf)")
    }

}
