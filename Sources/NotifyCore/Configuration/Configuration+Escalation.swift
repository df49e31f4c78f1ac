import SMSText

/// The `escalation:` section: policies of steps, and the Alertmanager receivers' routes to them.
extension Configuration {
    static func escalationSettings(_ settings: SettingsReader, maxRecipients: Int) throws(ConfigurationError) -> EscalationSettings {
        var escalation = EscalationSettings()
        guard let node = settings.node("escalation"), node.null == nil else { return escalation }
        guard let mapping = node.mapping else { throw settings.invalid("escalation", expected: "a mapping") }
        let reader = SettingsReader(path: settings.path, mapping: mapping, prefix: "escalation.")
        try reader.rejectUnknown(known: EscalationSettings.knownKeys)
        if let policies = reader.node("policies"), policies.null == nil {
            guard let entries = policies.mapping, !entries.isEmpty else {
                throw reader.invalid("policies", expected: "a mapping of policy names to {steps: [...], repeat: N}")
            }
            let named = SettingsReader(path: settings.path, mapping: entries, prefix: "escalation.policies.")
            for (key, _) in entries {
                guard let name = key.string, Self.isPolicyName(name) else {
                    throw reader.invalid("policies", expected: "policy names of letters, digits, `-` and `_` (at most 64)")
                }
                guard let section = try named.section(name, known: EscalationPolicy.knownKeys) else {
                    throw named.invalid(name, expected: "a mapping with steps")
                }
                escalation.policies[name] = try policy(name, section, maxRecipients: maxRecipients)
            }
        }
        for (receiver, name) in try reader.stringMapping("routes") ?? [] {
            guard escalation.policies[name] != nil else {
                throw reader.invalid("routes", expected: "receiver names mapped to policies of escalation.policies (\"\(name)\" is none)")
            }
            escalation.routes[receiver] = name
        }
        return escalation
    }

    /// One policy's mapping.
    static func policy(_ name: String, _ reader: SettingsReader, maxRecipients: Int) throws(ConfigurationError) -> EscalationPolicy {
        guard let node = reader.node("steps"), let items = node.sequence, !items.isEmpty, items.count <= EscalationPolicy.maxSteps else {
            throw reader.invalid("steps", expected: "a list of 1 to \(EscalationPolicy.maxSteps) steps such as [{to: [\"+33600000000\"]}, {after: 10m, to: [...]}]")
        }
        var steps: [EscalationStep] = []
        for (index, item) in items.enumerated() {
            let key = "steps[\(index)]"
            guard let mapping = item.mapping else { throw reader.invalid("steps", expected: "steps of the form {after: 10m, to: [numbers]}") }
            let step = SettingsReader(path: reader.path, mapping: mapping, prefix: reader.prefix + key + ".")
            try step.rejectUnknown(known: ["after", "to"])
            var after = Duration.zero
            if let text = try step.string("after"), text != "0" {
                guard let value = DurationText.parse(text) else { throw step.invalid("after", expected: "a duration such as 10m") }
                after = value
            }
            if index == 0, after != .zero {
                throw step.invalid("after", expected: "absent or 0 in the first step (it is paged with the alert)")
            }
            if index > 0 {
                guard after > steps[index - 1].after, after <= .seconds(7 * 86_400) else {
                    throw step.invalid("after", expected: "a duration from the alert's first page, greater than the step before's, at most 7d")
                }
            }
            let numbers = try step.phoneNumbers("to")
            guard !numbers.isEmpty, numbers.count <= maxRecipients else {
                throw step.invalid("to", expected: "a list of 1 to \(maxRecipients) phone numbers (max_recipients)")
            }
            steps.append(EscalationStep(after: after, to: numbers))
        }
        let repeatCount = try reader.int("repeat", in: 0...EscalationPolicy.maxRepeat) ?? 0
        var repeatAfter: Duration?
        if let value = try reader.duration("repeat_after", example: "10m") {
            guard value >= .seconds(1), value <= .seconds(7 * 86_400) else { throw reader.invalid("repeat_after", expected: "a duration from 1s to 7d") }
            repeatAfter = value
        }
        return EscalationPolicy(name: name, steps: steps, repeat: repeatCount, repeatAfter: repeatAfter)
    }

    static func isPolicyName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

extension SettingsReader {
    /// A list of phone numbers (each item may list several, comma-separated); empty when
    /// absent or null.
    func phoneNumbers(_ key: String) throws(ConfigurationError) -> [PhoneNumber] {
        var numbers: [PhoneNumber] = []
        for text in try stringList(key) ?? [] {
            do {
                numbers += try PhoneNumber.parseList(text)
            } catch {
                throw invalid(key, expected: "phone numbers (\(error))")
            }
        }
        return numbers
    }
}
