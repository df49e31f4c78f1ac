/// Decodes the generic input family: a JSON object, `key=value` lines, or plain text.
///
/// The JSON object and the `key=value` lines share one vocabulary:
///
/// | key | meaning |
/// |---|---|
/// | `to` | recipients: a number, a comma-separated list, or (JSON) an array |
/// | `host`, `service` | what the alert is about |
/// | `status` (or `type`) | `problem`/`firing`/`critical`…, `recovery`/`resolved`/`ok`…, or any word |
/// | `summary` (or `message`) | the one-line summary |
/// | `details` (or `description`) | more text |
/// | `severity` | `critical`, `warning`, `info`… |
/// | `dedup_key` | the alert's identity: the same key and status is the same notification |
/// | `url` | a link |
/// | `labels` | (JSON) an object of name → value; (lines) `label.NAME=value` |
///
/// Any other key becomes a label. Plain text: the first non-blank line is the summary.
public enum GenericDecoder {
    /// The keys with a meaning, aliases included; `key=value` input needs at least one of them.
    public static let knownKeys: Set<String> = [
        "to", "host", "service", "status", "type", "summary", "message", "details", "description",
        "severity", "dedup_key", "url", "labels",
    ]

    /// Decodes standard input: JSON when it starts with `{`, `key=value` lines when every line
    /// is one and a known key is among them, plain text otherwise.
    public static func decode(_ body: [UInt8]) throws(DecodeError) -> Notification {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw .malformed(format: .generic, reason: "standard input is not UTF-8 text")
        }
        let trimmed = text.trimmingWhitespace()
        if trimmed.first == "{" || trimmed.first == "[" {
            switch JSONValue.parse(body) {
            case .success(let value): return try decode(json: value)
            case .failure(let failure): throw .malformed(format: .generic, reason: failure.reason)
            }
        }
        if let pairs = keyValuePairs(trimmed) {
            return try decode(pairs: pairs, what: "key=value lines")
        }
        guard let alert = PlainTextDecoder.decode(text) else {
            throw .empty(format: .generic, reason: "standard input is empty")
        }
        return Notification(single: withDerivedKey(alert))
    }

    /// Decodes a parsed JSON object.
    public static func decode(json: JSONValue) throws(DecodeError) -> Notification {
        guard case .object(let members) = json else {
            throw .malformed(format: .generic, reason: "expected one JSON object")
        }
        var pairs: [(String, String)] = []
        var recipients: [String] = []
        for (key, value) in members {
            switch (key, value) {
            case ("to", .array(let items)):
                recipients += items.compactMap(\.text)
            case ("labels", .object(let labels)):
                pairs += labels.compactMap { name, value in value.text.map { ("label.\(name)", $0) } }
            case ("labels", _):
                throw .malformed(format: .generic, reason: "`labels` must be an object of name → value")
            default:
                if let text = value.text { pairs.append((key, text)) }
            }
        }
        return try decode(pairs: pairs, what: "JSON object", recipients: recipients)
    }

    /// `key=value` lines, or nil unless every non-blank line (`#` comments aside) is one and
    /// at least one key has a meaning.
    static func keyValuePairs(_ text: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "="), isKey(line[..<equals]) else { return nil }
            let value = line[line.index(after: equals)...].trimmingWhitespace()
            pairs.append((String(line[..<equals]).lowercased(), value))
        }
        guard pairs.contains(where: { knownKeys.contains($0.0) }) else { return nil }
        return pairs
    }

    static func isKey(_ key: Substring) -> Bool {
        guard let first = key.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return key.count <= 64 && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    static func decode(pairs: [(String, String)], what: String, recipients: [String] = []) throws(DecodeError) -> Notification {
        var alert = Alert(source: .generic)
        var recipients = recipients
        var labels: [Label] = []
        func set(_ field: inout String?, _ value: String) {
            if field == nil, !value.isEmpty { field = value }
        }
        for (key, rawValue) in pairs {
            let value = rawValue.trimmingWhitespace()
            switch key {
            case "to":
                recipients += value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            case "host": set(&alert.host, value)
            case "service": set(&alert.service, value)
            case "status", "type": set(&alert.notificationType, value)
            case "summary", "message": set(&alert.summary, value)
            case "details", "description": set(&alert.details, rawValue.replacingLiteralNewlines().trimmingWhitespace())
            case "severity": set(&alert.severity, value)
            case "dedup_key": set(&alert.dedupKey, value)
            case "url": set(&alert.url, value)
            default:
                let name = key.hasPrefix("label.") ? String(key.dropFirst(6)) : key
                if !name.isEmpty, !value.isEmpty { labels.append(Label(name, value)) }
            }
        }
        alert.labels = labels.sorted { $0.name < $1.name }
        var seen = Set<String>()
        alert.recipients = recipients.filter { seen.insert($0).inserted }
        guard alert.hasContent else {
            let keys = pairs.map(\.0).filter { !$0.hasPrefix("label.") }
            let found = keys.isEmpty ? "no keys" : "only " + keys.prefix(8).joined(separator: ", ")
            throw .empty(format: .generic, reason: "the \(what) has none of summary, host, service, details (found \(found))")
        }
        return Notification(single: withDerivedKey(alert))
    }

    /// Gives an alert without `dedup_key` one derived from what it is about, so the same
    /// generic alert repeated is recognised: host/service when given, else the summary.
    public static func withDerivedKey(_ alert: Alert) -> Alert {
        guard alert.dedupKey == nil else { return alert }
        var alert = alert
        let status = alert.notificationType.map { ":" + $0.lowercased() } ?? ""
        if alert.host != nil || alert.service != nil {
            alert.dedupKey = "generic:\(alert.host ?? "")\(alert.service.map { "/" + $0 } ?? "")\(status)"
        } else {
            let what = alert.summary ?? alert.details ?? ""
            alert.dedupKey = "generic:\(StableHash.hex(what))\(status)"
        }
        return alert
    }
}

extension String {
    /// Turns a literal `\n` (backslash, n) into a newline: shells and Nagios write them so.
    func replacingLiteralNewlines() -> String {
        guard contains("\\n") else { return self }
        var result = ""
        var iterator = makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                guard let next = iterator.next() else { result.append(c); break }
                if next == "n" { result.append("\n") } else { result.append(c); result.append(next) }
            } else {
                result.append(c)
            }
        }
        return result
    }
}
