import NotifyCore
import NotifyState
import SMSText

/// What `status` shows of the dead man's switch: the last Watchdog of each Alertmanager cluster.
extension StatusCommand {
    /// One line per cluster under a header; none when no heartbeat came and nobody is to be texted.
    static func deadmanLines(_ snapshot: StatusSnapshot, settings deadman: DeadmanSettings) -> [String] {
        guard !snapshot.heartbeats.isEmpty || !deadman.to.isEmpty else { return [] }
        let texted = deadman.to.isEmpty ? "nobody to text" : "texts \(deadman.to.count) number\(deadman.to.count == 1 ? "" : "s")"
        var lines = ["dead man's switch (timeout \(DurationText.format(deadman.timeout)), \(texted)):"]
        if snapshot.heartbeats.isEmpty { lines.append("  no Watchdog received yet") }
        for heartbeat in snapshot.heartbeats {
            let age = DurationText.format(.seconds(max(0, (snapshot.now - heartbeat.lastSeen).components.seconds)))
            var line = "  \(heartbeat.cluster.displayEscaped): last Watchdog \(heartbeat.lastSeen.localDateTime) (\(age) ago), "
            if let alarm = heartbeat.alarmAt {
                line += "silent (texted at \(alarm.localDateTime))"
            } else if heartbeat.isSilent(now: snapshot.now, timeout: deadman.timeout) {
                line += "silent"
            } else {
                line += "heard"
            }
            lines.append(line.count > 200 ? String(line.prefix(199)) + "…" : line)
        }
        return lines
    }
}

/// `status --json`: the `deadman` object.
struct DeadmanDocument: Encodable {
    struct Cluster: Encodable {
        /// The Alertmanager's `externalURL`.
        var cluster: String
        var last_seen_at: String
        var last_seen_age_seconds: Int64
        /// Not heard for the timeout, or its silence texted and not heard since.
        var silent: Bool
        /// When its silence was texted (it is not heard since).
        var alarm_at: String?
        /// When its return after a silence was last texted.
        var restored_at: String?
    }

    var timeout_seconds: Int64
    var recipients: Int
    var clusters: [Cluster]

    init(_ snapshot: StatusSnapshot, settings deadman: DeadmanSettings) {
        timeout_seconds = deadman.timeout.components.seconds
        recipients = deadman.to.count
        clusters = snapshot.heartbeats.map { heartbeat in
            Cluster(
                cluster: heartbeat.cluster, last_seen_at: heartbeat.lastSeen.iso8601,
                last_seen_age_seconds: (snapshot.now - heartbeat.lastSeen).components.seconds,
                silent: heartbeat.alarmAt != nil || heartbeat.isSilent(now: snapshot.now, timeout: deadman.timeout),
                alarm_at: heartbeat.alarmAt?.iso8601, restored_at: heartbeat.restoredAt?.iso8601)
        }
    }
}
