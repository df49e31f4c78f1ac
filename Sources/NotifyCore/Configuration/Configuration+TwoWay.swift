import SMSText

/// The `two_way:` section: replies, and the sources they acknowledge at.
extension Configuration {
    static func twoWaySettings(_ settings: SettingsReader) throws(ConfigurationError) -> TwoWaySettings {
        var twoWay = TwoWaySettings()
        guard let node = settings.node("two_way"), node.null == nil else { return twoWay }
        guard let mapping = node.mapping else { throw settings.invalid("two_way", expected: "a mapping") }
        twoWay.enabled = true
        let reader = SettingsReader(path: settings.path, mapping: mapping, prefix: "two_way.")
        try reader.rejectUnknown(known: TwoWaySettings.knownKeys)
        twoWay.tokenFile = try reader.string("token_file")
        twoWay.notifyOthers = try reader.bool("notify_others") ?? false
        if let url = try reader.string("callback_url") {
            guard Self.isHTTPURL(url) else { throw reader.invalid("callback_url", expected: "serve's reply URL, such as https://notify.example.org/smspartner/reply") }
            guard twoWay.tokenFile != nil else { throw reader.invalid("callback_url", expected: "to come with two_way.token_file (the secret end of the URL)") }
            twoWay.callbackURL = Self.trimmedURL(url)
        }
        for (text, name) in try reader.stringMapping("on_call") ?? [] {
            guard let number = try? PhoneNumber(parsing: text), !name.isEmpty, name.count <= 64 else {
                throw reader.invalid("on_call", expected: "phone numbers mapped to names (\"\(text)\" is not)")
            }
            twoWay.onCall[number] = name
        }
        if let section = try reader.section("alertmanager", known: ["url", "silence", "watch_interval"]) {
            guard let url = try section.string("url"), Self.isHTTPURL(url) else { throw section.invalid("url", expected: "Alertmanager's http(s) URL") }
            var alertmanager = TwoWaySettings.Alertmanager(url: Self.trimmedURL(url))
            if let silence = try section.duration("silence", example: "2h") {
                guard silence >= .seconds(60), silence <= .seconds(30 * 86_400) else { throw section.invalid("silence", expected: "a duration from 1m to 30d") }
                alertmanager.silence = silence
            }
            if let interval = try section.duration("watch_interval", example: "30s") {
                guard interval >= .seconds(1), interval <= .seconds(3600) else { throw section.invalid("watch_interval", expected: "a duration from 1s to 1h") }
                alertmanager.watchInterval = interval
            }
            twoWay.alertmanager = alertmanager
        }
        if let section = try reader.section("nagios", known: ["command_file"]) {
            guard let file = try section.string("command_file"), !file.isEmpty else {
                throw section.invalid("command_file", expected: "the path of Nagios' external command file")
            }
            twoWay.nagios = TwoWaySettings.Nagios(commandFile: file)
        }
        if let section = try reader.section("icinga2", known: ["url", "user", "password_file", "ca_file"]) {
            guard let url = try section.string("url"), Self.isHTTPURL(url) else { throw section.invalid("url", expected: "the Icinga 2 API's URL, such as https://127.0.0.1:5665") }
            guard let user = try section.string("user"), !user.isEmpty else { throw section.invalid("user", expected: "the API user") }
            guard let file = try section.string("password_file"), !file.isEmpty else { throw section.invalid("password_file", expected: "the file of the API user's password") }
            twoWay.icinga2 = TwoWaySettings.Icinga2(url: Self.trimmedURL(url), user: user, passwordFile: file, caFile: try section.string("ca_file"))
        }
        return twoWay
    }

    static func isHTTPURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        return (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && url.count <= 500
            && url.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }

    static func trimmedURL(_ url: String) -> String {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}

extension SettingsReader {
    /// A nested mapping `key:` as a reader of its own (unknown keys refused); nil when absent.
    func section(_ key: String, known: [String]) throws(ConfigurationError) -> SettingsReader? {
        guard let node = node(key), node.null == nil else { return nil }
        guard let mapping = node.mapping else { throw invalid(key, expected: "a mapping") }
        let reader = SettingsReader(path: path, mapping: mapping, prefix: prefix + key + ".")
        try reader.rejectUnknown(known: known)
        return reader
    }
}
