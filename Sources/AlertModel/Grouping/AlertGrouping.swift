/// Turns one Alertmanager group of alerts into one ``Notification``: one SMS worth, never one
/// SMS per alert.
///
/// The alerts are ordered most important first, the group's status, common labels and dedup
/// key are filled in when the payload did not give them. Pure and deterministic: the same
/// alerts in any order give the same notification.
public enum AlertGrouping {
    /// The notification for a group of alerts.
    ///
    /// - Alerts are ordered: firing (``NotificationKind/problem``) before any other type and
    ///   resolved last, then by ``Severity`` (most severe first), then by `startsAt` (older
    ///   first; unreadable or missing times last), then alert name, then fingerprint. Alerts
    ///   equal on all of that keep their relative order.
    /// - `status`: the payload's, else `firing` when any alert fires, else `resolved`.
    /// - `commonLabels` / `commonAnnotations`: the payload's; when it gave none, the pairs
    ///   (same name and value) every alert carries, sorted by name.
    /// - The dedup key is `alertmanager:` followed by a hash of the alerts' own dedup keys,
    ///   sorted: the same alerts in the same states give the same key whatever their order;
    ///   any alert changing state changes it. An alert without a key counts with one derived
    ///   from its labels and type.
    /// - `truncatedAlerts` is clamped to `0...Int32.max`.
    public static func group(
        _ alerts: [Alert],
        status: String?,
        receiver: String?,
        groupKey: String?,
        groupLabels: [Label],
        commonLabels: [Label],
        commonAnnotations: [Label],
        externalURL: String?,
        truncatedAlerts: Int
    ) -> Notification {
        let ordered = ordered(alerts)
        let groupStatus = nonBlank(status) ?? (alerts.contains { $0.kind == .problem } ? "firing" : "resolved")
        let keys = alerts.map(dedupKey(of:)).sorted()
        return Notification(
            source: .alertmanager,
            alerts: ordered,
            status: groupStatus,
            receiver: nonBlank(receiver),
            groupKey: nonBlank(groupKey),
            groupLabels: groupLabels,
            commonLabels: commonLabels.isEmpty ? shared(alerts.map(\.labels)) : commonLabels,
            commonAnnotations: commonAnnotations.isEmpty ? shared(alerts.map(\.annotations)) : commonAnnotations,
            externalURL: nonBlank(externalURL),
            truncatedAlerts: min(max(truncatedAlerts, 0), Int(Int32.max)),
            recipients: [],
            dedupKey: "alertmanager:" + StableHash.hex(keys.joined(separator: ","))
        )
    }

    /// An alert's dedup key, or the one its identity (made now when it has none) gives.
    static func dedupKey(of alert: Alert) -> String {
        alert.dedupKey
            ?? (alert.identity ?? AlertIdentity(fingerprint: alert.fingerprint, labels: alert.labels, status: alert.notificationType)).dedupKey
    }

    // MARK: - Ordering

    private static func ordered(_ alerts: [Alert]) -> [Alert] {
        let keyed = alerts.enumerated().map { (key: SortKey($0.element, index: $0.offset), alert: $0.element) }
        return keyed.sorted { $0.key < $1.key }.map(\.alert)
    }

    /// Everything the order looks at, computed once per alert.
    private struct SortKey: Comparable {
        var kind: Int
        var severity: Severity
        var time: RFC3339Instant.SortValue
        var name: String?
        var fingerprint: String?
        var dedupKey: String?
        var index: Int

        init(_ alert: Alert, index: Int) {
            switch alert.kind {
            case .problem: kind = 0
            case .recovery: kind = 2
            default: kind = 1
            }
            severity = Severity(alert.severity)
            time = RFC3339Instant.sortValue(alert.startsAt)
            name = alert.service
            fingerprint = alert.fingerprint
            dedupKey = alert.dedupKey
            self.index = index
        }

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
            if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
            if lhs.time != rhs.time { return lhs.time < rhs.time }
            if lhs.name != rhs.name { return presentFirst(lhs.name, rhs.name) }
            if lhs.fingerprint != rhs.fingerprint { return presentFirst(lhs.fingerprint, rhs.fingerprint) }
            if lhs.dedupKey != rhs.dedupKey { return presentFirst(lhs.dedupKey, rhs.dedupKey) }
            return lhs.index < rhs.index
        }

        /// Present values in order, nil after them.
        private static func presentFirst(_ lhs: String?, _ rhs: String?) -> Bool {
            switch (lhs, rhs) {
            case let (l?, r?): l < r
            case (.some, nil): true
            default: false
            }
        }
    }

    // MARK: - Common labels

    /// The pairs every list carries (same name and value), sorted by name; none for no lists.
    private static func shared(_ lists: [[Label]]) -> [Label] {
        guard let first = lists.first else { return [] }
        var common: [String: String] = [:]
        for label in first where common[label.name] == nil { common[label.name] = label.value }
        for list in lists.dropFirst() {
            guard !common.isEmpty else { break }
            var values: [String: String] = [:]
            for label in list where values[label.name] == nil { values[label.name] = label.value }
            common = common.filter { values[$0.key] == $0.value }
        }
        return common.map { Label($0.key, $0.value) }.sorted { $0.name < $1.name }
    }

    private static func nonBlank(_ text: String?) -> String? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}
