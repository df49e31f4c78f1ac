import SMSText

/// Who gets the SMS: the `--to` numbers when given (the operator's own choice, not checked
/// against the allowlist), else the numbers the input names itself (a Nagios contact pager,
/// an Icinga user pager, a generic `to`), normalised to international form and checked
/// against `allowed_recipients` when it is configured.
///
/// An invalid or refused number from the input is skipped and reported, so one bad contact
/// does not stop the page from reaching the others; the send fails only when nobody is left.
/// More than `max_recipients` numbers from the input is refused whole: a list that long is a
/// mistake or an attack, and would be digested for days (`--to` is the operator's own).
public enum RecipientResolver {
    /// The recipients, and the input's numbers that were left out.
    public struct Resolution: Sendable, Equatable {
        public var numbers: [PhoneNumber]
        /// `--to` or `input`.
        public var origin: String
        /// Input numbers left out, each with the reason.
        public var skipped: [Skipped]

        public struct Skipped: Sendable, Equatable, CustomStringConvertible {
            public var number: String
            public var reason: String
            public var description: String { "\(number) (\(reason))" }
        }
    }

    /// Resolves the recipients; `flags` are the `--to` values (each may be a comma-separated
    /// list). At most `limit` numbers from `input`.
    public static func resolve(
        flags: [String],
        input: [String],
        allowlist: RecipientAllowlist?,
        limit: Int = Configuration.defaultMaxRecipients
    ) throws(RecipientError) -> Resolution {
        if !flags.isEmpty {
            var numbers: [PhoneNumber] = []
            for value in flags {
                do {
                    numbers += try PhoneNumber.parseList(value)
                } catch {
                    throw .invalidFlag(error.description)
                }
            }
            numbers = unique(numbers)
            guard !numbers.isEmpty else { throw .none }
            return Resolution(numbers: numbers, origin: "--to", skipped: [])
        }
        guard !input.isEmpty else { throw .none }
        // Before any parsing: a list this long is refused whatever it holds.
        let distinct = Set(input).count
        guard distinct <= limit else { throw .tooMany(distinct, limit: limit, origin: "the alert input") }
        var numbers: [PhoneNumber] = []
        var skipped: [Resolution.Skipped] = []
        for value in input {
            let number: PhoneNumber
            do {
                number = try PhoneNumber(parsing: value)
            } catch {
                skipped.append(.init(number: value, reason: "invalid: \(error)"))
                continue
            }
            if let allowlist, !allowlist.allows(number) {
                skipped.append(.init(number: number.e164, reason: "not in allowed_recipients"))
                continue
            }
            numbers.append(number)
        }
        numbers = unique(numbers)
        guard !numbers.isEmpty else { throw .noneUsable(skipped.map(\.description)) }
        return Resolution(numbers: numbers, origin: "input", skipped: skipped)
    }

    static func unique(_ numbers: [PhoneNumber]) -> [PhoneNumber] {
        var seen = Set<PhoneNumber>()
        return numbers.filter { seen.insert($0).inserted }
    }
}

/// Why nobody can be sent the SMS.
public enum RecipientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `--to` value is not a phone number (exit 64).
    case invalidFlag(String)
    /// No `--to` and no number in the input (exit 64).
    case none
    /// The input named numbers, but none is valid and allowed (exit 65).
    case noneUsable([String])
    /// The input names more numbers than `max_recipients` (exit 65).
    case tooMany(Int, limit: Int, origin: String)

    public var description: String {
        switch self {
        case .invalidFlag(let reason): "invalid --to: \(reason)"
        case .none: "no recipient: give --to NUMBER (or a pager/`to` in the alert input)"
        case .noneUsable(let skipped): "no usable recipient in the alert input: \(skipped.joined(separator: "; "))"
        case .tooMany(let count, let limit, let origin):
            "\(origin) names \(count) recipients, more than max_recipients (\(limit)): nothing sent (raise max_recipients in the configuration if that many is meant)"
        }
    }
}
