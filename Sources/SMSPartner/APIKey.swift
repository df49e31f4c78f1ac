/// The SMSPartner account key. It prints as `<redacted>` everywhere (string interpolation,
/// `dump`, debug output), so it cannot leak into logs or errors by accident.
public struct APIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// What every printed form of a key shows.
    public static let redacted = "<redacted>"

    /// The secret itself; read it only to build a request.
    public let secret: String

    /// Wraps a key, trimming surrounding whitespace and newlines (as read from a key file).
    /// Returns nil for an empty key.
    public init?(_ secret: String) {
        let trimmed = secret.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return nil }
        self.secret = trimmed
    }

    public var description: String { Self.redacted }
    public var debugDescription: String { Self.redacted }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
