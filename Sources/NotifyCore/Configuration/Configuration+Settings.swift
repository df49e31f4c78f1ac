import SMSPartner
import SMSText

/// Reading the configuration's settings, a group at a time (``Configuration/parse(yaml:path:)``).
extension Configuration {
    /// SMSPartner: the key, the URL, the sender, the tag, sandbox mode, the time budget.
    mutating func readProvider(_ settings: SettingsReader) throws(ConfigurationError) {
        self.apiKeyFile = try settings.string("api_key_file")
        if let key = try settings.string("api_key") {
            guard let apiKey = APIKey(key) else {
                throw settings.invalid("api_key", expected: "a non-empty key")
            }
            self.apiKey = apiKey
        }
        if let url = try settings.string("api_url") {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw settings.invalid("api_url", expected: "an http:// or https:// URL")
            }
            self.apiURL = url
        }
        if let sender = try settings.string("sender") {
            guard (3...11).contains(sender.count), sender.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw settings.invalid("sender", expected: "3 to 11 ASCII letters and digits (SMSPartner's rule)")
            }
            self.sender = sender
        }
        if let tag = try settings.string("tag") {
            guard (1...20).contains(tag.count),
                tag.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isUppercase })
            else {
                throw settings.invalid("tag", expected: "1 to 20 lowercase characters without spaces")
            }
            self.tag = tag
        }
        self.sandbox = try settings.bool("sandbox") ?? false
        self.timeout = .seconds(try settings.int("timeout", in: 1...3600) ?? 20)
    }

    /// The text: segments, encoding, templates, how the subject of an Alertmanager alert is chosen.
    mutating func readRendering(_ settings: SettingsReader) throws(ConfigurationError) {
        self.maxSegments = try settings.int("max_segments", in: 1...10) ?? 1
        if let encoding = try settings.string("encoding") {
            guard let mode = EncodingMode(rawValue: encoding) else {
                throw settings.invalid("encoding", expected: "auto, gsm7 or unicode")
            }
            self.encoding = mode
        }
        if let templates = try settings.stringMapping("templates") {
            do {
                self.templates = try TemplateSet(overrides: templates.map { (name: $0.key, text: $0.value) })
            } catch {
                let name: String
                switch error {
                case .unknownName(let n), .invalid(let n, _): name = n
                }
                let line = settings.line(of: name, in: "templates") ?? settings.line("templates")
                throw .invalidTemplate(path: settings.path, line: line, problem: error.description)
            }
        }
        for key in ["subject_labels", "noise_labels"] {
            guard let names = try settings.stringList(key) else { continue }
            guard names.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }) else {
                throw settings.invalid(key, expected: "a list of label names ([a-zA-Z0-9_]+)")
            }
            if key == "subject_labels" { self.subjectRules.preferred = names } else { self.subjectRules.extraNoise = Set(names) }
        }
    }

    /// Who may be texted: the allowlist, named receivers, the label naming them, the most per input.
    mutating func readRecipients(_ settings: SettingsReader) throws(ConfigurationError) {
        if let patterns = try settings.stringList("allowed_recipients") {
            do {
                self.allowedRecipients = try RecipientAllowlist(patterns: patterns)
            } catch {
                throw settings.invalid("allowed_recipients", expected: "a list of phone numbers or prefixes ending in * (\(error))")
            }
        }
        if let node = settings.node("receivers"), node.null == nil {
            guard let mapping = node.mapping else { throw settings.invalid("receivers", expected: "a mapping of receiver names to lists of numbers") }
            let receivers = SettingsReader(path: settings.path, mapping: mapping, prefix: "receivers.")
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                var numbers: [PhoneNumber] = []
                // The mapping form: `{to: [numbers], quiet_hours: ...}`.
                var list = receivers
                var listKey = name
                var own: QuietHours??
                if let receiver = value.mapping {
                    let section = SettingsReader(path: settings.path, mapping: receiver, prefix: "receivers.\(name).")
                    try section.rejectUnknown(known: ["to", "quiet_hours"])
                    own = try Self.quietHours(section)
                    list = section
                    listKey = "to"
                }
                for text in try list.stringList(listKey) ?? [] {
                    do {
                        numbers += try PhoneNumber.parseList(text)
                    } catch {
                        throw receivers.invalid(name, expected: "phone numbers (\(error))")
                    }
                }
                self.receivers[name] = numbers
                if let own {
                    for number in numbers {
                        if let earlier = self.quietHours.byNumber[number.e164], earlier != own {
                            throw receivers.invalid(name, expected: "the same quiet_hours as the other receivers listing \(number.e164)")
                        }
                        self.quietHours.byNumber[number.e164] = own
                    }
                }
            }
        }
        if let everyone = try Self.quietHours(settings) { self.quietHours.everyone = everyone }
        self.recipientLabel = try settings.string("recipient_label")
        if let limit = try settings.int("max_recipients", in: 1...10_000) { self.maxRecipients = limit }
    }

    /// The shared state and the policy: deduplication, rate limits, caps, retries, expiry.
    mutating func readPolicy(_ settings: SettingsReader) throws(ConfigurationError) {
        self.stateDir = try settings.string("state_dir")
        if let dir = self.stateDir, dir.isEmpty {
            throw settings.invalid("state_dir", expected: "a directory path")
        }
        let duration = { (key: String) throws(ConfigurationError) -> Duration? in
            try settings.duration(key, example: "90s, 15m, 1h or 1d")
        }
        if let window = try duration("dedup_window") { self.policy.dedupWindow = window }
        if let age = try duration("max_age") { self.policy.maxAge = age }
        if let delay = try duration("retry_delay") { self.policy.retryDelay = delay }
        if let delay = try duration("lookup_delay") {
            guard delay >= .seconds(1), delay <= .seconds(3600) else {
                throw settings.invalid("lookup_delay", expected: "a duration from 1s to 1h")
            }
            self.lookupDelay = delay
        }
        if let limits = try settings.stringList("rate_limits") {
            var parsed: [RateLimit] = []
            for text in limits {
                guard let limit = RateLimit(parsing: text) else {
                    throw settings.invalid("rate_limits", expected: "a list of COUNT/DURATION such as 5/15m (\"\(text)\" is not)")
                }
                parsed.append(limit)
            }
            self.policy.rateLimits = parsed
        }
        for key in ["hourly_cap", "daily_cap"] {
            guard let text = try settings.string(key) else { continue }
            let cap: Int?
            if text == "off" {
                cap = nil
            } else if let value = Int(text), (1...1_000_000).contains(value) {
                cap = value
            } else {
                throw settings.invalid(key, expected: "a whole number from 1 to 1000000, or off")
            }
            if key == "hourly_cap" { self.policy.hourlyCap = cap } else { self.policy.dailyCap = cap }
        }
    }
}
