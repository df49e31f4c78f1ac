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

    /// A fingerprint for labels when the source gave none: the hash of the labels'
    /// `name=value` pairs, sorted by name then value, joined by `,`.
    static func fingerprint(of labels: [Label]) -> String {
        let pairs = labels.sorted { ($0.name, $0.value) < ($1.name, $1.value) }.map { "\($0.name)=\($0.value)" }
        return StableHash.hex(pairs.joined(separator: ","))
    }

    /// An alert's dedup key, or one derived from its fingerprint (or labels) and type.
    static func dedupKey(of alert: Alert) -> String {
        if let key = alert.dedupKey { return key }
        let fingerprint = alert.fingerprint ?? fingerprint(of: alert.labels)
        return "\(fingerprint):\((alert.notificationType ?? "unknown").lowercased())"
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
        var time: Timestamp.SortValue
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
            time = Timestamp.sortValue(alert.startsAt)
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

/// An RFC 3339 time reduced to a comparable instant, for ordering alerts by `startsAt`
/// whatever their offset and fractional digits.
private struct Timestamp: Comparable {
    var seconds: Int64
    var nanoseconds: Int

    static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Readable times first (in time order), then unreadable ones (by text), then none.
    enum SortValue: Comparable {
        case instant(Timestamp)
        case unreadable(String)
        case missing
    }

    static func sortValue(_ text: String?) -> SortValue {
        guard let text else { return .missing }
        if let time = Timestamp(rfc3339: text) { return .instant(time) }
        return .unreadable(text)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil for anything else.
    init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        var index = 0

        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + digits)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ accepted: Set<UInt8>) -> Bool {
            guard index < bytes.count, accepted.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        guard let year = number(4), expect([0x2D]), let month = number(2), expect([0x2D]), let day = number(2),
              expect([0x54, 0x74, 0x20]), let hour = number(2), expect([0x3A]), let minute = number(2),
              expect([0x3A]), let second = number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }

        var nanoseconds = 0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var scale = 100_000_000
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                nanoseconds += Int(bytes[index] - 0x30) * scale
                scale /= 10
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
        }

        var offset = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x5A, 0x7A:
            index += 1
        case 0x2B, 0x2D:
            let sign = bytes[index] == 0x2D ? -1 : 1
            index += 1
            guard let hours = number(2), expect([0x3A]), let minutes = number(2), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        default:
            return nil
        }
        guard index == bytes.count else { return nil }

        // Days from the civil date (H. Hinnant's algorithm), proleptic Gregorian calendar.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468

        seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        self.nanoseconds = nanoseconds
    }
}
