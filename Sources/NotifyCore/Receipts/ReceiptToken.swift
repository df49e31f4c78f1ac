/// The secret last path segment of the receipt callback URL (`receipts.token_file`): only
/// who knows it (SMSPartner, given it with each send) can post receipts to `serve`.
public struct ReceiptToken: Sendable, Equatable {
    public let value: String

    /// Shortest token accepted: a guessable one would let anyone mark pages delivered.
    public static let minimumLength = 16

    /// Reads and checks the token in `path`: 16 to 200 URL-safe characters (letters, digits,
    /// `-`, `_`, `.`, `~`), e.g. `openssl rand -hex 24`.
    public static func load(path: String) throws(ConfigurationError) -> ReceiptToken {
        let value = try SecretFile.read(path)
        let urlSafe = value.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".", "~": true
            default: false
            }
        }
        guard urlSafe, (minimumLength...200).contains(value.count) else {
            throw .unreadableSecretFile(path: path, reason: "a callback token is 16 to 200 letters, digits, '-', '_', '.' or '~' (try: openssl rand -hex 24)")
        }
        return ReceiptToken(value: value)
    }

    init(value: String) {
        self.value = value
    }

    /// Whether `candidate` (a request's path segment) is this token, compared in constant time.
    public func matches(_ candidate: String) -> Bool {
        SecretFile.constantTimeEqual(candidate, value)
    }

    /// The callback URL SMSPartner is given with each send: `base` then this token.
    public func callbackURL(base: String) -> String {
        base + "/" + value
    }
}
