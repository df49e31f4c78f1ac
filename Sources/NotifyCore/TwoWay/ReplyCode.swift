/// The short reference an alert SMS ends with (` ack:4F`), per recipient number: two characters
/// of ``alphabet``, written in upper case.
///
/// The alphabet is the digits 2–9 and the letters A–Z without `I`, `L`, `O` and `U`: `0`/`O` and
/// `1`/`I`/`L` are read for one another on a small screen and typed wrongly on a keypad, and
/// leaving out `U` (as Crockford's base 32 does) keeps common two-letter words out of codes.
/// 30 characters make 900 codes per number. Since no code holds an `O`, `OK` is never a code.
public enum ReplyCode {
    /// The characters of a code, in order: `23456789ABCDEFGHJKMNPQRSTVWXYZ`.
    public static let alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    /// How many characters a code has.
    public static let length = 2

    /// Whether `code` is a code as written in an SMS: exactly ``length`` characters of
    /// ``alphabet``, upper case (see ``normalized(_:)`` for what a reply may write).
    public static func isValid(_ code: String) -> Bool {
        code.count == length && code.allSatisfy(alphabet.contains)
    }

    /// The code `text` writes, in upper case (`4f` → `4F`), or nil when it is not one: a
    /// confusable character (`4O`, `I5`) is not corrected, since the code could be another's.
    public static func normalized(_ text: some StringProtocol) -> String? {
        let code = text.uppercased()
        return isValid(code) ? code : nil
    }
}
