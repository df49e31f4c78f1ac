/// The outcome of ``GSM7Transliterator/transliterate(_:)``: the GSM-7 text and what was
/// changed to get it.
public struct GSM7Transliteration: Sendable, Equatable {
    /// The transliterated text; every scalar of it is GSM-7 encodable.
    public let text: String
    /// Each replaced character (as a string, one grapheme cluster) and what replaced it; an
    /// empty replacement means the character was removed. When one character is replaced
    /// differently in different places (`°`), the last replacement is listed. Recomposing a
    /// GSM-7 letter written with a combining accent (`"e\u{301}"` → `"é"`) is not listed: it
    /// shows the same.
    public let replaced: [String: String]

    /// Creates a transliteration result from its parts.
    public init(text: String, replaced: [String: String]) {
        self.text = text
        self.replaced = replaced
    }

    /// Whether any visible character was replaced or removed.
    public var changed: Bool { !replaced.isEmpty }
}
