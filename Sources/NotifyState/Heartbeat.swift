/// The last heartbeat (Alertmanager's always-firing Watchdog alert) of one Alertmanager
/// cluster, and where its dead man's switch stands.
public struct Heartbeat: Sendable, Equatable {
    /// The cluster: its Alertmanager's `externalURL`.
    public var cluster: String
    /// When a firing heartbeat last came.
    public var lastSeen: Timestamp
    /// When its silence was texted; nil while it is heard.
    public var alarmAt: Timestamp?
    /// When its return (after a silence that was texted) was texted last.
    public var restoredAt: Timestamp?

    public init(cluster: String, lastSeen: Timestamp, alarmAt: Timestamp? = nil, restoredAt: Timestamp? = nil) {
        self.cluster = cluster
        self.lastSeen = lastSeen
        self.alarmAt = alarmAt
        self.restoredAt = restoredAt
    }

    /// Whether nothing came for `timeout` or more, as of `now`.
    public func isSilent(now: Timestamp, timeout: Duration) -> Bool {
        now - lastSeen >= timeout
    }
}
