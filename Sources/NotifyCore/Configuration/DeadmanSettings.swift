import SMSText

/// The dead man's switch: `serve` expects Alertmanager's always-firing Watchdog alert, and
/// texts when it stops coming. The `deadman:` section of the configuration.
///
/// ```yaml
/// deadman:
///   timeout: 10m                            # silence longer than this = Alertmanager (or its route) is down
///   to: ["+33600000000"]                    # who is texted, directly (no rate limit, no quiet hours)
///   alertnames: [Watchdog, DeadMansSwitch]  # the alerts that are heartbeats, never texted
/// ```
public struct DeadmanSettings: Sendable, Equatable {
    /// How long a cluster may stay silent before its silence is reported.
    public var timeout: Duration
    /// Who is texted when a cluster falls silent and when it is heard again; empty: the
    /// heartbeats are recorded and shown (`status`, `check`) but nobody is texted.
    public var to: [PhoneNumber]
    /// The alert names that are heartbeats.
    public var alertnames: [String]
    /// Whether the configuration has a `deadman:` section: `check` judges the heartbeats only
    /// then (a Watchdog that reaches `serve` by a default route is not a promise to keep).
    public var isConfigured = false

    public static let defaultAlertnames = ["Watchdog", "DeadMansSwitch"]
    /// The shortest `timeout`: shorter than Alertmanager's `repeat_interval` is a false alarm
    /// each time, but tests need seconds. `serve` judges every two seconds or so.
    public static let minimumTimeout = Duration.seconds(2)
    public static let knownKeys = ["timeout", "to", "alertnames"]

    public init(timeout: Duration = .seconds(600), to: [PhoneNumber] = [], alertnames: [String] = DeadmanSettings.defaultAlertnames) {
        self.timeout = timeout
        self.to = to
        self.alertnames = alertnames
    }

    /// Whether an alert of this name is a heartbeat.
    public func isHeartbeat(alertname: String?) -> Bool {
        guard let alertname else { return false }
        return alertnames.contains(alertname)
    }
}
