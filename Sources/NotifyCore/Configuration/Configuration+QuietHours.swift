import AlertModel
import Foundation
import Yams

/// Reading `quiet_hours:` (top level, and under a receiver written as a mapping).
extension Configuration {
    /// A `quiet_hours:` block under `reader`'s `key`: nil when absent; `.some(nil)` for `off`.
    static func quietHours(_ reader: SettingsReader, key: String = "quiet_hours") throws(ConfigurationError) -> QuietHours?? {
        guard let node = reader.node(key), node.null == nil else { return nil }
        if case .scalar(let scalar) = node, ["off", "false", "no"].contains(scalar.string.lowercased()) {
            return .some(nil)
        }
        let expected = "a mapping with timezone, allow and windows (or off)"
        guard let mapping = node.mapping else { throw reader.invalid(key, expected: expected) }
        let section = SettingsReader(path: reader.path, mapping: mapping, prefix: reader.prefix + key + ".")
        try section.rejectUnknown(known: QuietHoursSettings.knownKeys)
        guard let name = try section.string("timezone"), !name.isEmpty, let zone = TimeZone(identifier: name) else {
            throw section.invalid("timezone", expected: "a time zone name such as Europe/Paris (tzdata)")
        }
        var allow: Set<Severity> = [.critical]
        if let names = try section.stringList("allow") {
            allow = []
            for name in names {
                let severity = Severity(name)
                guard severity != .none || name.lowercased() == "none" else {
                    throw section.invalid("allow", expected: "severities: critical, error, warning, info, none (\"\(name)\" is not one)")
                }
                allow.insert(severity)
            }
        }
        guard let windowsNode = section.node("windows"), let list = windowsNode.sequence, !list.isEmpty else {
            throw section.invalid("windows", expected: "a non-empty list of {days: mon-fri, from: \"22:00\", to: \"07:00\"}")
        }
        var windows: [QuietWindow] = []
        for item in list {
            guard let itemMapping = item.mapping else {
                throw section.invalid("windows", expected: "a list of {days, from, to} mappings")
            }
            let window = SettingsReader(path: reader.path, mapping: itemMapping, prefix: section.prefix + "windows[\(windows.count)].")
            try window.rejectUnknown(known: ["days", "from", "to"])
            guard let daysText = try window.string("days"), let days = QuietWindow.parseDays(daysText) else {
                throw window.invalid("days", expected: "days such as mon-fri, sat-sun, tue or mon,wed,fri")
            }
            guard let fromText = try window.string("from"), let from = QuietWindow.parseTime(fromText), from < 1440 else {
                throw window.invalid("from", expected: "a local time HH:MM from 00:00 to 23:59, quoted")
            }
            guard let toText = try window.string("to"), let to = QuietWindow.parseTime(toText) else {
                throw window.invalid("to", expected: "a local time HH:MM from 00:00 to 24:00, quoted")
            }
            guard from != to else {
                throw window.invalid("to", expected: "a time other than from (00:00 to 24:00 is a whole day)")
            }
            windows.append(QuietWindow(days: days, from: from, to: to))
        }
        return .some(QuietHours(timeZone: zone, allow: allow, windows: windows))
    }
}
