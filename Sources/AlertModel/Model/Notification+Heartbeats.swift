/// Heartbeats: Alertmanager's always-firing Watchdog alert, which says that the alerting
/// pipeline works and is never texted (the dead man's switch of `serve` keeps it).
extension Notification {
    /// The alerts whose `alertname` label is one of `alertnames`, taken out; and the
    /// notification of the others, grouped again without them (status, order and dedup key
    /// as if the payload had never carried a heartbeat), nil when no other alert is left.
    /// Unchanged when it carries no heartbeat.
    public func separatingHeartbeats(named alertnames: Set<String>) -> (heartbeats: [Alert], rest: Notification?) {
        guard source == .alertmanager else { return ([], self) }
        let heartbeats = alerts.filter { $0.label("alertname").map(alertnames.contains) ?? false }
        guard !heartbeats.isEmpty else { return ([], self) }
        let others = alerts.filter { !($0.label("alertname").map(alertnames.contains) ?? false) }
        guard !others.isEmpty else { return (heartbeats, nil) }
        // The payload's status spoke for the heartbeats too: the others' is worked out again.
        var rest = AlertGrouping.group(
            others, status: nil, receiver: receiver, groupKey: groupKey, groupLabels: groupLabels, commonLabels: commonLabels,
            commonAnnotations: commonAnnotations, externalURL: externalURL, truncatedAlerts: truncatedAlerts)
        rest.recipients = recipients
        return (heartbeats, rest)
    }
}
