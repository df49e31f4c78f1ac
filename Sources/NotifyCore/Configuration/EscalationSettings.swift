/// Escalation policies for two-way paging: the `escalation:` section of the configuration.
///
/// ```yaml
/// escalation:
///   policies:
///     default: {steps: [{to: ["+33600000000"]}, {after: 10m, to: ["+33600000001"]}], repeat: 0}
///     db: {steps: [{to: ["+33600000002"]}, {after: 5m, to: ["+33600000001"]}, {after: 20m, to: ["+33600000003"]}]}
///   routes: {database-team: db}   # Alertmanager receiver → policy; `default` applies to the rest
/// ```
///
/// A step's `after` counts from the round's first page (the alert's first page, in the first
/// round); the first step has none and is paged with the alert. Escalations run only with
/// `two_way:` (they follow pages, and stop at an acknowledgement).
public struct EscalationSettings: Sendable, Equatable {
    /// By name.
    public var policies: [String: EscalationPolicy]
    /// Alertmanager receiver name → policy name.
    public var routes: [String: String]

    /// The policy every alert that opens pages gets, unless a route names another.
    public static let defaultPolicy = "default"
    public static let knownKeys = ["policies", "routes"]

    public init(policies: [String: EscalationPolicy] = [:], routes: [String: String] = [:]) {
        self.policies = policies
        self.routes = routes
    }

    /// Whether any policy is configured.
    public var isConfigured: Bool { !policies.isEmpty }

    /// The policy of an alert: `name` when given (`send --escalation`), else the route of its
    /// Alertmanager `receiver`, else `default`; nil when none applies.
    public func policy(named name: String? = nil, receiver: String?) -> EscalationPolicy? {
        if let name { return policies[name] }
        if let receiver, let routed = routes[receiver] { return policies[routed] }
        return policies[Self.defaultPolicy]
    }
}
