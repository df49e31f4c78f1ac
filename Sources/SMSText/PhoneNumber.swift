/// An SMS recipient in international E.164 form, such as `+33612345678`.
///
/// Parsing accepts the ways people write numbers: separators (spaces, `.`, `-`, `/`,
/// parentheses), a leading `+` or `00` international prefix, French national numbers
/// (`06 12 34 56 78`), the `(0)` trunk prefix after a country code (`+33 (0)6 12 34 56 78`),
/// and the French trunk `0` written after `+33` (`+33 06 12 34 56 78`). It rejects anything
/// ambiguous, such as digits without a prefix that are not a French national number.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The number in E.164 form: `+`, country code and subscriber number, 8 to 15 digits.
    public let e164: String

    /// Parses `input` (see the type's documentation for what is accepted); leading and
    /// trailing whitespace is ignored.
    public init(parsing input: String) throws(PhoneNumberError) {
        e164 = try Self.normalize(input)
    }

    /// The E.164 form.
    public var description: String { e164 }

    /// The number without `+`, as SMSPartner's reply callbacks write it (`msisdn`).
    public var msisdn: String { String(e164.dropFirst()) }

    /// Parses a list of numbers separated by commas or semicolons, ignoring empty items and
    /// dropping later duplicates (same E.164 form), keeping the order of first appearance.
    /// The first invalid item throws.
    public static func parseList(_ input: String) throws(PhoneNumberError) -> [PhoneNumber] {
        var result: [PhoneNumber] = []
        var seen: Set<String> = []
        for item in input.split(whereSeparator: { $0 == "," || $0 == ";" }) {
            guard item.contains(where: { !$0.isWhitespace }) else { continue }
            let number = try PhoneNumber(parsing: String(item))
            if seen.insert(number.e164).inserted { result.append(number) }
        }
        return result
    }

    /// Decodes a number from a single string and parses it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(PhoneNumberError) {
            e164 = try Self.normalize(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the number as its E.164 string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }

    /// The E.164 form of `input`, or the reason it has none.
    private static func normalize(_ rawInput: String) throws(PhoneNumberError) -> String {
        let input = trimmed(rawInput)
        guard !input.isEmpty else { throw .empty }

        // Keep digits, "+" and "(0)" markers; drop separators; reject anything else.
        var compact = ""
        for character in input {
            if character.isASCIIDigit || character == "+" || character == "(" || character == ")" {
                compact.append(character)
            } else if character.isWhitespace || character == "." || character == "-" || character == "/" {
                continue
            } else {
                throw .invalidCharacter(input: input, character: character)
            }
        }
        if compact.dropFirst().contains("+") { throw .misplacedPlus(input: input) }

        var rest = Substring(compact)
        let international: Bool
        if rest.first == "+" {
            international = true
            rest = removingTrunkPrefix(rest.dropFirst())
        } else if rest.hasPrefix("00") {
            international = true
            rest = removingTrunkPrefix(rest.dropFirst(2))
        } else {
            international = false
        }
        var digits = Substring(rest.filter(\.isASCIIDigit))
        guard !digits.isEmpty else {
            throw international ? .tooShort(input: input, digits: 0) : .empty
        }

        if !international {
            if digits.first == "0" {
                guard digits.count == 10, digits.dropFirst().first != "0" else {
                    throw .invalidNationalNumber(input: input, digits: digits.count)
                }
                return "+33" + digits.dropFirst()
            }
            throw .missingInternationalPrefix(input: input)
        }

        if digits.first == "0" { throw .invalidCountryCode(input: input) }
        if digits.hasPrefix("330") && digits.count == 12 {
            digits = "33" + digits.dropFirst(3)  // +33 06 12 34 56 78: the French trunk 0
        }
        if digits.count < 8 { throw .tooShort(input: input, digits: digits.count) }
        if digits.count > 15 { throw .tooLong(input: input, digits: digits.count) }
        if digits.hasPrefix("33") {
            let national = digits.dropFirst(2)
            guard national.count == 9, national.first != "0" else {
                throw .invalidFrenchNumber(input: input)
            }
        }
        return "+" + digits
    }

    /// `digits` (after the international prefix) without a `(0)` trunk marker, which may only
    /// follow the country code.
    private static func removingTrunkPrefix(_ digits: Substring) -> Substring {
        var index = digits.startIndex
        while index < digits.endIndex {
            if digits[index] == "(", index != digits.startIndex,
                digits[index...].hasPrefix("(0)")
            {
                let after = digits.index(index, offsetBy: 3)
                return digits[..<index] + digits[after...]
            }
            index = digits.index(after: index)
        }
        return digits
    }

    private static func trimmed(_ text: String) -> String {
        let start = text.firstIndex(where: { !$0.isWhitespace }) ?? text.endIndex
        let end = text.lastIndex(where: { !$0.isWhitespace }).map(text.index(after:)) ?? start
        return String(text[start..<end])
    }
}
