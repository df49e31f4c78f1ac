import SMSText

/// The numbers an alert's own input may name (a Nagios contact pager, an Icinga user pager,
/// a generic `to`): `allowed_recipients:` in the configuration. Numbers given with `--to` are
/// the operator's own and are not checked.
public struct RecipientAllowlist: Sendable, Equatable {
    /// One allowed number, or a prefix of allowed numbers (written with a trailing `*`).
    public enum Pattern: Sendable, Equatable {
        case number(PhoneNumber)
        /// E.164 digits with the `+`, e.g. `+336`.
        case prefix(String)
    }

    public var patterns: [Pattern]

    /// Parses patterns: a phone number (any form `--to` accepts) or `+DIGITS*`.
    public init(patterns: [String]) throws(PhoneNumberError) {
        self.patterns = try patterns.map { text throws(PhoneNumberError) -> Pattern in
            let trimmed = text.filter { !$0.isWhitespace }
            if trimmed.hasSuffix("*") {
                let digits = trimmed.dropLast()
                guard digits.hasPrefix("+"), digits.count >= 2 else { throw PhoneNumberError.missingInternationalPrefix(input: text) }
                if let bad = digits.dropFirst().first(where: { !($0.isASCII && $0.isNumber) }) {
                    throw PhoneNumberError.invalidCharacter(input: text, character: bad)
                }
                return .prefix(String(digits))
            }
            return .number(try PhoneNumber(parsing: trimmed))
        }
    }

    /// Whether `number` is allowed.
    public func allows(_ number: PhoneNumber) -> Bool {
        patterns.contains { pattern in
            switch pattern {
            case .number(let allowed): allowed == number
            case .prefix(let prefix): number.e164.hasPrefix(prefix)
            }
        }
    }
}
