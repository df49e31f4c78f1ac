import SMSText

/// The `receipts:` and `deadman:` sections: what closes the loop after a send.
extension Configuration {
    /// The `receipts:` section.
    static func receiptSettings(_ settings: SettingsReader) throws(ConfigurationError) -> ReceiptSettings {
        var receipts = ReceiptSettings()
        guard let node = settings.node("receipts"), node.null == nil else { return receipts }
        guard let mapping = node.mapping else { throw settings.invalid("receipts", expected: "a mapping") }
        let reader = SettingsReader(path: settings.path, mapping: mapping, prefix: "receipts.")
        try reader.rejectUnknown(known: ReceiptSettings.knownKeys)
        if let steps = try reader.stringList("poll_after") {
            var parsed: [Duration] = []
            for text in steps {
                guard let step = DurationText.parse(text), step >= .seconds(10), step <= ReceiptSettings.finalAfter,
                      step > (parsed.last ?? .zero)
                else {
                    throw reader.invalid("poll_after", expected: "increasing durations from 10s to 48h such as [1m, 5m, 30m, 1h] (\"\(text)\" is not)")
                }
                parsed.append(step)
            }
            guard parsed.count <= 48 else { throw reader.invalid("poll_after", expected: "at most 48 durations") }
            receipts.pollAfter = parsed
        }
        if let url = try reader.string("callback_url") {
            let lower = url.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), url.count <= 200, !url.contains("?"), !url.contains("#"),
                  url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            else {
                throw reader.invalid("callback_url", expected: "the public http(s) URL of serve's /smspartner/dlr route, without query")
            }
            var trimmed = url
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            receipts.callbackURL = trimmed
            guard let file = try reader.string("token_file"), !file.isEmpty else {
                throw reader.invalid("token_file", expected: "the file holding the callback's secret token (required with callback_url)")
            }
            receipts.tokenFile = file
        } else {
            receipts.tokenFile = try reader.string("token_file")
        }
        return receipts
    }

    /// The `deadman:` section.
    static func deadmanSettings(_ settings: SettingsReader) throws(ConfigurationError) -> DeadmanSettings {
        var deadman = DeadmanSettings()
        guard let node = settings.node("deadman"), node.null == nil else { return deadman }
        guard let mapping = node.mapping else { throw settings.invalid("deadman", expected: "a mapping") }
        deadman.isConfigured = true
        let reader = SettingsReader(path: settings.path, mapping: mapping, prefix: "deadman.")
        try reader.rejectUnknown(known: DeadmanSettings.knownKeys)
        if let timeout = try reader.duration("timeout", example: "10m") {
            guard timeout >= DeadmanSettings.minimumTimeout, timeout <= .seconds(7 * 86_400) else {
                throw reader.invalid("timeout", expected: "a duration from 2s to 7d")
            }
            deadman.timeout = timeout
        }
        deadman.to = try reader.phoneNumbers("to")
        if let names = try reader.stringList("alertnames") {
            guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && $0.count <= 200 }) else {
                throw reader.invalid("alertnames", expected: "a list of alert names such as [Watchdog]")
            }
            deadman.alertnames = names
        }
        return deadman
    }
}
