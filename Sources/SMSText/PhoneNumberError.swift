/// Why a text is not a usable SMS recipient. ``description`` is one line that names the input
/// and says what to write instead.
public enum PhoneNumberError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is empty or only separators.
    case empty
    /// The input has a character that is neither a digit, a leading `+` nor a separator
    /// (space, `.`, `-`, `/`, `(`, `)`).
    case invalidCharacter(input: String, character: Character)
    /// A `+` appears elsewhere than at the very beginning.
    case misplacedPlus(input: String)
    /// A national number (leading `0`) that is not a French number of 10 digits `0[1-9]XXXXXXXX`;
    /// `digits` is how many digits it has.
    case invalidNationalNumber(input: String, digits: Int)
    /// Digits without `+` or `00` that are not a French national number, e.g. `33612345678`:
    /// ambiguous, the international prefix is missing.
    case missingInternationalPrefix(input: String)
    /// The country code after `+` or `00` starts with `0`.
    case invalidCountryCode(input: String)
    /// Fewer than 8 digits after `+` or `00`.
    case tooShort(input: String, digits: Int)
    /// More than 15 digits after `+` or `00` (the E.164 maximum).
    case tooLong(input: String, digits: Int)
    /// A French international number (`+33`) that does not have 9 digits starting with 1-9
    /// after the country code.
    case invalidFrenchNumber(input: String)

    /// A one-line message naming the input, what is wrong and what to write instead.
    public var description: String {
        switch self {
        case .empty:
            return "empty phone number: give an international number such as +33612345678"
        case .invalidCharacter(let input, let character):
            return "invalid phone number \(quoted(input)): unexpected character \(quoted(String(character)))"
                + "; use digits, a leading + and the separators space . - / ( )"
        case .misplacedPlus(let input):
            return "invalid phone number \(quoted(input)): \"+\" may only appear at the start"
                + ", as in +33612345678"
        case .invalidNationalNumber(let input, let digits):
            return "invalid phone number \(quoted(input)): a national number must be a French"
                + " number of 10 digits starting with 0 then 1-9 (such as 0612345678), this one has"
                + " \(digits) digits; write other numbers in international form (+CC...)"
        case .missingInternationalPrefix(let input):
            let digits = input.filter(\.isASCIIDigit)
            return "ambiguous phone number \(quoted(input)): no international prefix; write it as"
                + " +\(digits) (or 00\(digits))"
        case .invalidCountryCode(let input):
            return "invalid phone number \(quoted(input)): a country code cannot start with 0"
                + "; write the number as +CC... such as +33612345678"
        case .tooShort(let input, let digits):
            return "invalid phone number \(quoted(input)): only \(digits) digits after the"
                + " international prefix, at least 8 are needed (country code and number)"
        case .tooLong(let input, let digits):
            return "invalid phone number \(quoted(input)): \(digits) digits after the international"
                + " prefix, at most 15 are allowed (E.164)"
        case .invalidFrenchNumber(let input):
            return "invalid phone number \(quoted(input)): a French number is +33 followed by 9"
                + " digits starting with 1-9, such as +33612345678"
        }
    }

    private func quoted(_ text: String) -> String {
        "\"" + text + "\""
    }
}

extension Character {
    /// Whether this is one of the ASCII digits 0-9.
    var isASCIIDigit: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii >= 0x30 && ascii <= 0x39
    }
}
