import AlertModel
import NotifyCore
import SMSPartner

/// What `send --dry-run` prints: stable `name: value` lines that scripts can read, one value
/// per line (newlines in values shown as spaces, other control characters escaped by
/// ``Console``). The API key is always shown as `<redacted>`.
struct DryRunReport {
    var format: InputFormat
    var notification: Notification
    var dedupKey: String?
    var rendered: RenderedMessage
    var recipients: RecipientResolver.Resolution
    var request: SendRequest
    var apiURL: String
    /// What the policy would decide for each recipient, one `decision:` line each.
    var decisions: [String] = []
    /// How an Alertmanager alert's subject was chosen (`subject-from:`, `noise-labels:`).
    var subjects = SubjectRules.standard

    var lines: [String] {
        var lines = ["dry-run: nothing sent", "format: \(format.rawValue)"]
        if notification.alerts.count == 1 && notification.truncatedAlerts == 0, let alert = notification.alerts.first {
            lines += Self.fields(of: alert).map { "\($0.0): \(Self.oneLine($0.1))" }
        } else {
            lines += Self.groupFields(of: notification).map { "\($0.0): \(Self.oneLine($0.1))" }
        }
        if notification.source == .alertmanager, let first = notification.alerts.first {
            // Why the SMS names what it names (the first alert's, for a group).
            let choice = subjects.choose(first.labels)
            lines.append("subject-from: \(choice.from.isEmpty ? "none" : choice.from.joined(separator: ","))")
            lines.append("noise-labels: \(choice.noise.isEmpty ? "none" : choice.noise.joined(separator: ","))")
        }
        let m = rendered.measurement
        let transliterated = rendered.transliterated.map { "\($0.from)→\($0.to.isEmpty ? "(dropped)" : $0.to)" }
        lines += [
            "dedup-key: \(dedupKey ?? "none")",
            "template: \(rendered.template)",
            "text: \(rendered.message.platformText)",
            "encoding: \(m.encoding.rawValue)",
            "characters: \(m.characters)",
            "units: \(m.units)",
            "segments: \(m.segments)",
            "truncated: \(rendered.truncated.isEmpty ? "no" : rendered.truncated.joined(separator: ","))",
            "transliterated: \(transliterated.isEmpty ? "no" : transliterated.joined(separator: " "))",
            "recipients: \(recipients.numbers.map(\.e164).joined(separator: ","))",
            "recipients-from: \(recipients.origin)",
        ]
        for skipped in recipients.skipped {
            lines.append("skipped: \(skipped)")
        }
        lines += decisions.map { "decision: \($0)" }
        for batch in request.batches() {
            lines.append("request: POST \(apiURL)/send \(String(decoding: batch.jsonBody(apiKey: nil), as: UTF8.self))")
        }
        return lines
    }

    /// The decoded fields of one alert, in a fixed order, absent ones left out.
    static func fields(of alert: Alert) -> [(String, String)] {
        let fields: [(String, String?)] = [
            ("type", alert.notificationType), ("host", alert.host), ("host-display", alert.hostDisplayName),
            ("address", alert.hostAddress), ("host-state", alert.hostState), ("service", alert.service),
            ("service-display", alert.serviceDisplayName), ("service-state", alert.serviceState),
            ("output", alert.output), ("long-output", alert.longOutput), ("summary", alert.summary),
            ("details", alert.details), ("author", alert.author), ("comment", alert.comment),
            ("severity", alert.severity), ("time", alert.startsAt), ("ends", alert.endsAt),
            ("fingerprint", alert.fingerprint), ("url", alert.url),
            ("labels", alert.labels.isEmpty ? nil : alert.labels.map { "\($0.name)=\($0.value)" }.joined(separator: " ")),
        ]
        return fields.compactMap { name, value in value.map { (name, $0) } }
    }

    /// A group's fields, then one line per alert.
    static func groupFields(of notification: Notification) -> [(String, String)] {
        var fields: [(String, String?)] = [
            ("status", notification.status), ("receiver", notification.receiver),
            ("alerts", "\(notification.totalCount) (\(notification.firingCount) firing, \(notification.resolvedCount) resolved, \(notification.truncatedAlerts) not in the payload)"),
            ("common-labels", notification.commonLabels.isEmpty ? nil : notification.commonLabels.map { "\($0.name)=\($0.value)" }.joined(separator: " ")),
        ]
        for (index, alert) in notification.alerts.enumerated() {
            let summary = [alert.notificationType, alert.service, alert.host, alert.severity, alert.summary]
                .compactMap { $0 }.joined(separator: " ")
            fields.append(("alert-\(index + 1)", summary))
        }
        return fields.compactMap { name, value in value.map { (name, $0) } }
    }

    func print() {
        for line in lines { Console.line(line) }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
