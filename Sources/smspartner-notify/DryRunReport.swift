import AlertModel
import NotifyCore
import SMSPartner

/// What `send --dry-run` prints: stable `name: value` lines that scripts can read.
/// The API key is always shown as `<redacted>`.
struct DryRunReport {
    var format: String
    var alert: Alert
    var rendered: RenderedMessage
    var request: SendRequest
    var apiURL: String

    var lines: [String] {
        var lines = ["dry-run: nothing sent", "format: \(format)"]
        let fields: [(String, String?)] = [
            ("type", alert.notificationType), ("host", alert.host), ("host-state", alert.hostState),
            ("service", alert.service), ("service-state", alert.serviceState), ("output", alert.output),
        ]
        for (name, value) in fields {
            if let value { lines.append("\(name): \(Self.oneLine(value))") }
        }
        let m = rendered.measurement
        lines += [
            "template: \(rendered.template)",
            "text: \(rendered.message.platformText)",
            "encoding: \(m.encoding.rawValue)",
            "characters: \(m.characters)",
            "units: \(m.units)",
            "segments: \(m.segments)",
            "truncated: \(rendered.truncated ? "yes" : "no")",
            "recipients: \(request.phoneNumbers.map(\.e164).joined(separator: ","))",
        ]
        for batch in request.batches() {
            lines.append("request: POST \(apiURL)/send \(String(decoding: batch.jsonBody(apiKey: nil), as: UTF8.self))")
        }
        return lines
    }

    func print() {
        for line in lines { Swift.print(line) }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
