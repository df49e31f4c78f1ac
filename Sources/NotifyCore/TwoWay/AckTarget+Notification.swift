import AlertModel

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a notification's page acknowledges at its source, and how a page stores it.
extension AckTarget {
    /// The target of `notification`'s page: its Nagios or Icinga host (and service), the
    /// labels of one Alertmanager alert or a group's `groupLabels`; nil (a reply then only
    /// stops its escalation) for a generic alert, a group without `groupLabels`
    /// (`group_by: []`), or one without a host.
    public init?(_ notification: Notification) {
        guard let first = notification.alerts.first else { return nil }
        switch notification.source {
        case .nagios, .icinga:
            guard let host = first.host, !host.isEmpty else { return nil }
            self = notification.source == .nagios ? .nagios(host: host, service: first.service) : .icinga(host: host, service: first.service)
        case .alertmanager:
            // A group is its `groupLabels`, never its `commonLabels`: those would silence alerts
            // the SMS never spoke of. A group without them is acknowledged here only.
            let matchers = notification.alerts.count == 1 && notification.truncatedAlerts == 0 ? first.labels : notification.groupLabels
            guard !matchers.isEmpty else { return nil }
            self = .alertmanager(matchers: matchers.sorted { $0.name < $1.name }, externalURL: notification.externalURL)
        case .generic:
            return nil
        }
    }

    /// The form a page stores (JSON).
    public var encoded: String {
        let stored: Stored = switch self {
        case .nagios(let host, let service): Stored(source: "nagios", host: host, service: service)
        case .icinga(let host, let service): Stored(source: "icinga", host: host, service: service)
        case .alertmanager(let matchers, let url):
            Stored(source: "alertmanager", matchers: matchers.map { [$0.name, $0.value] }, externalURL: url)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(stored), as: UTF8.self)) ?? "{}"
    }

    /// A target read back from ``encoded``; nil for anything else.
    public init?(encoded: String) {
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(encoded.utf8)) else { return nil }
        switch stored.source {
        case "nagios":
            guard let host = stored.host else { return nil }
            self = .nagios(host: host, service: stored.service)
        case "icinga":
            guard let host = stored.host else { return nil }
            self = .icinga(host: host, service: stored.service)
        case "alertmanager":
            let matchers = (stored.matchers ?? []).compactMap { pair in pair.count == 2 ? Label(pair[0], pair[1]) : nil }
            guard !matchers.isEmpty else { return nil }
            self = .alertmanager(matchers: matchers, externalURL: stored.externalURL)
        default:
            return nil
        }
    }

    private struct Stored: Codable {
        var source: String
        var host: String?
        var service: String?
        var matchers: [[String]]?
        var externalURL: String?
    }
}
