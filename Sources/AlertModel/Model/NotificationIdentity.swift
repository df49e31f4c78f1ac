/// How the policy tells notifications apart: what one is about across its statuses
/// (``subject``), which status it is in (``statusName``), and how a digest counts and names it
/// (``typeLabel``, ``digestLabel``).
extension Notification {
    /// What the notification is about, the same whatever its status: `nagios:web01/HTTP`,
    /// `alertmanager:<fingerprint>`, `alertmanager-group:<group key>`. A recovery has the
    /// subject of its problem.
    public var subject: String? {
        guard alerts.count == 1 && truncatedAlerts == 0, let alert = alerts.first else {
            if let groupKey { return "\(source.rawValue)-group:\(groupKey)" }
            return dedupKey.map { "\(source.rawValue)-group:\($0)" }
        }
        if let fingerprint = alert.fingerprint { return "\(source.rawValue):\(fingerprint)" }
        if alert.host != nil || alert.service != nil {
            return "\(source.rawValue):\(alert.host ?? "")\(alert.service.map { "/" + $0 } ?? "")"
        }
        if let identity = alert.identity { return "\(source.rawValue):\(identity.fingerprint)" }
        return alert.dedupKey
    }

    /// What the store files it under, the same for the decision and its history: its
    /// ``subject``, else `dedupKey` (the key `--dedup-key` or the caller gave).
    public func subject(or dedupKey: String?) -> String? {
        subject ?? dedupKey
    }

    /// The status deduplication compares: the type and state of one alert (`PROBLEM
    /// CRITICAL`, `RECOVERY OK`, `FIRING`), the group's status for a group (`FIRING`,
    /// `RESOLVED`).
    public var statusName: String? {
        guard alerts.count == 1 && truncatedAlerts == 0, let alert = alerts.first else {
            return status?.uppercased()
        }
        let type = alert.kind == .other ? alert.notificationType?.uppercased() : alert.kind.nagiosName
        let parts = [type, alert.state?.uppercased()].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// How a digest counts it: `PROBLEM`, `RECOVERY`, `ACKNOWLEDGEMENT`…; Alertmanager's
    /// `FIRING` and `RESOLVED`.
    public var typeLabel: String {
        if source == .alertmanager {
            return (status ?? alerts.first?.notificationType ?? "firing").uppercased()
        }
        guard let alert = alerts.first else { return "ALERT" }
        switch alert.kind {
        case .other: return alert.notificationType?.uppercased() ?? "ALERT"
        default: return alert.kind.nagiosName
        }
    }

    /// How a digest names it, briefly: `web01/HTTP`, `HostDown db1`, `HighLatency [3]`.
    public var digestLabel: String {
        if alerts.count > 1 || truncatedAlerts > 0 {
            let names = Set(alerts.compactMap(\.service))
            let name = names.count == 1 ? names.first : nil
            return "\(name ?? "alerts") [\(totalCount)]"
        }
        guard let alert = alerts.first else { return "alert" }
        if source == .alertmanager {
            return [alert.service, alert.host].compactMap { $0 }.joined(separator: " ")
        }
        if alert.host != nil || alert.service != nil {
            return "\(alert.host ?? "")\(alert.service.map { (alert.host == nil ? "" : "/") + $0 } ?? "")"
        }
        let text = (alert.summary ?? alert.details ?? alert.output ?? "alert").trimmingWhitespace()
        return text.count > 24 ? String(text.prefix(23)) + "…" : text
    }

    /// The Alertmanager alert instances (fingerprint and `startsAt`) this notification reports
    /// as firing, and those it reports as resolved. An instance once resolved never fires
    /// again (a new firing has a new `startsAt`), so a notification whose firing instances
    /// are all resolved already is stale: an HA peer's or a retry's late copy, overtaken by
    /// the resolution. Empty for other sources, and for alerts without `startsAt`.
    public var alertInstances: (firing: [String], resolved: [String]) {
        guard source == .alertmanager else { return ([], []) }
        var firing: [String] = []
        var resolved: [String] = []
        for alert in alerts {
            guard let startsAt = alert.startsAt, let identity = alert.identity else { continue }
            let instance = identity.instance(startsAt: startsAt)
            switch alert.notificationType?.lowercased() {
            case "firing": firing.append(instance)
            case "resolved": resolved.append(instance)
            default: continue
            }
        }
        return (firing, resolved)
    }
}
