/// The SMSPartner `tag` of one stored message: the configured tag as a prefix, then a random
/// part, lowercase letters and digits, 20 characters at most (SMSPartner's limit).
///
/// Unique to the message (10 random base-36 characters: 3.6 × 10¹⁵ values), so that SMSPartner
/// can be asked whether it took a request whose answer never came, even when several
/// installations or a reset state share one account.
public enum MessageTag {
    /// The prefix when none is configured.
    public static let defaultPrefix = "notify"
    /// Length of the random part.
    public static let randomLength = 10
    /// SMSPartner's limit.
    public static let maxLength = 20

    /// A new tag: `prefix` (the configured tag, cut to fit) then the random part.
    public static func make(prefix: String?) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix: prefix, using: &generator)
    }

    public static func make<G: RandomNumberGenerator>(prefix: String?, using generator: inout G) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        let head = String((prefix ?? defaultPrefix).prefix(maxLength - randomLength))
        var tail = ""
        for _ in 0..<randomLength {
            tail.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))])
        }
        return head + tail
    }
}
