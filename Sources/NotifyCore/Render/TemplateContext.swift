import AlertModel
import SMSText

/// The variables a template sees, built from a ``Notification`` and how far truncation has
/// shortened it. Missing values are absent (so `{{#host}}…{{/host}}` skips them), never "".
///
/// Every alert offers: `type` (PROBLEM, RECOVERY, FIRING, RESOLVED…), `kind` (problem,
/// recovery, acknowledgement, flappingstart…), `status` (as the source wrote it), `host`,
/// `host_display`, `address`, `host_state`, `service`, `service_display`, `service_state`,
/// `state`, `target` (`host/service`), `alertname`, `output`, `long_output`, `summary`,
/// `details`, `message` (the comment for acknowledgements, downtimes and custom
/// notifications, else the output or summary), `author`, `comment`, `severity`, `time`,
/// `url`, `fingerprint`, `dedup_key`, `labels.NAME`, `annotations.NAME`, `labels_text` (the
/// values of the labels not already shown), `brief` (a one-line description for group
/// lists), and the flags `is_service`, `is_host`, `is_problem`, `is_recovery`.
///
/// At the top level, the first (most severe) alert's variables plus the group's: `source`,
/// `count`, `count_text` (`5` or `5: 3 firing, 2 resolved`), `firing`, `resolved`, `alerts`
/// (the alerts listed), `more` (how many are not listed), `receiver`, `common_text` (alert
/// name and common label values), `common_labels.NAME`, `group_labels.NAME`, `external_url`.
struct TemplateContext {
    /// How far truncation has gone.
    struct Shrink: Equatable {
        /// Most characters of the `details` fields; nil = whole.
        var details: Int?
        /// Most characters of the `message` fields; nil = whole.
        var message: Int?
        /// How many alerts a group lists; nil = all.
        var listed: Int?
        /// Whether context label values are left out.
        var hidesLabels = false
        /// Whether long host names are cut to their first DNS label
        /// (`ip-10-42-5-88.eu-west-3.compute.internal` → `ip-10-42-5-88`).
        var shortHosts = false
    }

    /// Labels that say where an alert runs rather than what it is; not repeated in `labels_text`
    /// (sources other than Alertmanager, whose labels ``SubjectRules`` sorts out).
    static let shownElsewhere: Set<String> = ["alertname", "instance", "host", "hostname", "node", "severity"]
    /// Labels that carry no meaning for a reader (idem).
    static let noise: Set<String> = ["prometheus", "prometheus_replica", "replica", "__name__", "monitor", "receive", "tenant_id"]

    /// The fewest characters a cut field keeps before its mark.
    static let shortestCut = 10

    let notification: Notification
    /// The truncation mark of the current encoding.
    let mark: String
    /// Each Alertmanager alert's context labels (``SubjectRules/choose(_:)``), chosen once: the
    /// renderer builds the variables again for every shortening it tries.
    let contexts: [[Label]]

    init(notification: Notification, mark: String, rules: SubjectRules = .standard) {
        self.notification = notification
        self.mark = mark
        contexts = notification.source == .alertmanager ? notification.alerts.map { rules.choose($0.labels).context } : []
    }

    /// The subject every alert of a group shares, shown once in the header; nil when they differ.
    var sharedHost: String? {
        let hosts = Set(notification.alerts.map(\.host))
        guard notification.alerts.count > 1, hosts.count == 1, let host = hosts.first else { return nil }
        return host
    }

    /// The namespace every alert's subject of a group is in (`billing` of `billing/worker-1`,
    /// `billing/worker-2`), shown once in the header; the lines then name what is in it.
    var sharedNamespace: String? {
        guard notification.alerts.count > 1, sharedHost == nil,
              let namespace = notification.commonLabels.first(where: { $0.name == "namespace" })?.value,
              notification.alerts.allSatisfy({ $0.host?.hasPrefix(namespace + "/") == true })
        else { return nil }
        return namespace
    }

    /// The variables, with `shrink` applied.
    func variables(_ shrink: Shrink) -> [String: Any] {
        let alerts = notification.alerts
        let common = Set(notification.commonLabels.map(\.name))
        var top = alerts.first.map { variables(for: $0, at: 0, shrink: shrink, commonLabels: alerts.count > 1 ? common : [], single: alerts.count == 1) } ?? [:]
        let count = notification.totalCount
        top["source"] = notification.source.rawValue
        top["count"] = count
        let firing = notification.firingCount
        let resolved = notification.resolvedCount
        top["count_text"] = firing > 0 && resolved > 0 ? "\(count): \(firing) firing, \(resolved) resolved" : "\(count)"
        if firing > 0 { top["firing"] = firing }
        if resolved > 0 { top["resolved"] = resolved }
        if let status = notification.status, !status.isEmpty {
            top["status"] = status
            top["type"] = status.uppercased()
        }
        let listed = min(alerts.count, shrink.listed ?? alerts.count)
        top["alerts"] = alerts.prefix(listed).enumerated().map { variables(for: $0.element, at: $0.offset, shrink: shrink, commonLabels: common) }
        let more = count - listed
        if more > 0 { top["more"] = more }
        set(&top, "receiver", notification.receiver)
        set(&top, "external_url", notification.externalURL)
        top["common_labels"] = dictionary(notification.commonLabels)
        top["group_labels"] = dictionary(notification.groupLabels)
        var commonText: [String] = []
        if let name = notification.commonLabels.first(where: { $0.name == "alertname" })?.value { commonText.append(name) }
        if let host = sharedHost { commonText.append(display(host, shrink)) }
        if let namespace = sharedNamespace, !commonText.contains(namespace) { commonText.append(namespace) }
        if notification.source == .alertmanager, let severity = notification.commonLabels.first(where: { $0.name == "severity" })?.value {
            commonText.append(severity)
        }
        if !shrink.hidesLabels {
            if notification.source == .alertmanager {
                // What every alert shows as context, once: not noise, not the subject.
                let context = contexts.first ?? []
                commonText += notification.commonLabels.filter { context.contains($0) && !commonText.contains($0.value) }.map(\.value)
            } else {
                commonText += notification.commonLabels
                    .filter { !Self.shownElsewhere.contains($0.name) && !Self.noise.contains($0.name) }
                    .map(\.value)
            }
        }
        set(&top, "common_text", commonText.joined(separator: " "))
        return top
    }

    /// One alert's variables; `commonLabels` are left out of `labels_text` and `brief`.
    /// The variables of `alert`, the `index`-th of the notification.
    func variables(for alert: Alert, at index: Int, shrink: Shrink, commonLabels: Set<String>, single: Bool = false) -> [String: Any] {
        var v: [String: Any] = [:]
        let kind = alert.kind
        set(&v, "type", alert.notificationType?.uppercased())
        set(&v, "status", alert.notificationType)
        if kind != .other { v["kind"] = kind.nagiosName.lowercased() }
        set(&v, "host", alert.host.map { display($0, shrink) })
        set(&v, "host_display", alert.hostDisplayName)
        set(&v, "address", alert.hostAddress)
        set(&v, "host_state", alert.hostState)
        set(&v, "service", alert.service)
        set(&v, "service_display", alert.serviceDisplayName)
        set(&v, "service_state", alert.serviceState)
        set(&v, "state", alert.state)
        set(&v, "target", [alert.host, alert.service].compactMap { $0 }.joined(separator: "/"))
        if alert.source == .alertmanager { set(&v, "alertname", alert.service) }
        let output = cut(alert.output, to: shrink.message)
        let summary = cut(alert.summary, to: shrink.message)
        let comment = cut(alert.comment, to: shrink.message)
        set(&v, "output", output)
        set(&v, "summary", summary)
        set(&v, "comment", comment)
        set(&v, "long_output", cut(alert.longOutput, to: shrink.details))
        set(&v, "details", cut(alert.details, to: shrink.details))
        var message: String?
        switch kind {
        case .acknowledgement, .custom, .downtimeStart, .downtimeEnd, .downtimeCancelled:
            message = comment ?? output ?? summary
        default:
            if alert.source == .alertmanager {
                // Summary and description both say what is wrong. Without a subject to name
                // the object, the one that names it; else the summary (the description follows
                // it in a single alert's SMS, as far as it fits: see `details`).
                let names = { (text: String?) in text.map { Self.names($0, alert.host) } ?? false }
                let preferDetails = alert.summary == nil || alert.host == nil && names(alert.details) && !names(alert.summary)
                message = output ?? (preferDetails ? cut(alert.details, to: shrink.message) : summary)
                if preferDetails { v["details"] = nil }
                // The description follows: the summary ends as a sentence.
                if single, v["details"] != nil, let text = message, let last = text.last, !".!?:;…".contains(last) {
                    message = text + "."
                }
            } else {
                message = output ?? summary
            }
        }
        set(&v, "message", message)
        set(&v, "author", alert.author)
        set(&v, "severity", alert.severity)
        set(&v, "time", alert.startsAt)
        set(&v, "url", alert.url)
        set(&v, "fingerprint", alert.fingerprint)
        set(&v, "dedup_key", alert.dedupKey)
        v["labels"] = dictionary(alert.labels)
        v["annotations"] = dictionary(alert.annotations)
        let labels = alert.source == .alertmanager
            ? contexts[index]
            : alert.labels.filter { !Self.shownElsewhere.contains($0.name) && !Self.noise.contains($0.name) }
        let context = shrink.hidesLabels ? [] : labels.filter { !commonLabels.contains($0.name) }.map(\.value)
        set(&v, "labels_text", context.joined(separator: " "))
        if alert.isServiceAlert { v["is_service"] = true } else { v["is_host"] = true }
        if kind == .problem { v["is_problem"] = true }
        if kind == .recovery { v["is_recovery"] = true }

        // The line a group lists: what differs from the group, then the message.
        var brief: [String] = []
        if kind == .recovery, notification.firingCount > 0 { brief.append("resolved") }
        if alert.source == .alertmanager {
            if !commonLabels.contains("alertname"), let name = alert.service { brief.append(name) }
        } else if let target = v["target"] as? String {
            brief.append(target)
        }
        if alert.source == .alertmanager, let host = alert.host, sharedHost == nil {
            let shown = display(host, shrink)
            brief.append(sharedNamespace.map { String(shown.dropFirst($0.count + 1)) } ?? shown)
        }
        if let severity = alert.severity, !commonLabels.contains("severity") { brief.append(severity) }
        brief += context
        var line = brief.joined(separator: " ")
        if let message { line += line.isEmpty ? message : ": " + message }
        set(&v, "brief", line)
        return v
    }

    /// Whether `text` names the object `host` (whole, or its last path component: the pod).
    static func names(_ text: String, _ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return false }
        if text.contains(host) { return true }
        let last = host.split(separator: "/").last.map(String.init) ?? host
        let first = last.split(separator: ".").first.map(String.init) ?? last
        return first.count >= 3 && text.contains(first)
    }

    /// `host` as shown: cut to its first DNS label once `shrink` says so, unless it is an IP
    /// address, a path or a URL.
    func display(_ host: String, _ shrink: Shrink) -> String {
        shrink.shortHosts ? Self.shortName(host) ?? host : host
    }

    /// The first DNS label of a host name, when it is shorter and the name is not an IP
    /// address, a path or a URL; else nil.
    static func shortName(_ host: String) -> String? {
        guard !host.contains("/"), !host.contains(":"), let dot = host.firstIndex(of: ".") else { return nil }
        let first = host[..<dot]
        guard first.contains(where: \.isLetter) else { return nil }  // 10.42.5.88
        return String(first)
    }

    func set(_ dictionary: inout [String: Any], _ key: String, _ value: String?) {
        if let value, !value.isEmpty { dictionary[key] = value }
    }

    func dictionary(_ labels: [Label]) -> [String: Any] {
        var result: [String: Any] = [:]
        for label in labels where !label.value.isEmpty { result[label.name] = label.value }
        return result
    }

    /// `text` cut to `limit` characters (mark included) at a word boundary; nil when the
    /// limit leaves nothing.
    func cut(_ text: String?, to limit: Int?) -> String? {
        guard let text, let limit else { return text }
        guard text.count > limit else { return text }
        // A stub such as "H..." says nothing: below this, the field is left out.
        guard limit >= mark.count + Self.shortestCut else { return nil }
        let result = SMSTruncator.truncate(text, mark: mark) { $0.count <= limit }.text
        return result.isEmpty ? nil : result
    }
}
