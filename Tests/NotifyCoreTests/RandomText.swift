import PropertyBased

/// Generators of awkward text for the property tests: every kind of character an alert can
/// carry (GSM-7 and its extension table, accents in and out of GSM-7, emoji and their
/// sequences, combining marks, newlines of every kind, CJK, Cyrillic, invisible characters,
/// SMSPartner's own `:br:` token).
enum RandomText {
    static let fragments: [String] = [
        "a", "Z", "0", " ", "  ", "-", ".", ":", "/", "%", "_", "word ", "disk ", "CRITICAL ",
        "^", "{", "}", "[", "]", "~", "|", "\\", "€", ":br:", ":euro:",
        "é", "è", "à", "Ç", "ß", "ê", "ô", "œ", "ł", "ñ",
        "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "1️⃣",
        "\u{200D}", "\u{301}", "e\u{301}", "\u{FE0F}",
        "\n", "\r\n", "\r", "\n\n", "\t",
        "東京", "ж", "Сервер ", "Ω", "α",
        "\u{A0}", "\u{200B}", "’", "“", "”", "…", "°", "–", "—",
    ]

    typealias TextGenerator = Generator<String, Generator<Int, Shrink.Integer<Int>>.ArrayShrink>

    /// Any text, up to `length` fragments.
    static func any(_ length: ClosedRange<Int>) -> TextGenerator {
        Gen.int(in: 0...(fragments.count - 1)).array(of: length).map { indices in
            indices.map { fragments[$0] }.joined()
        }
    }

    static let nameCharacters = Array("abcdefghijklmnopqrstuvwxyz0123456789-.")

    /// A host or service name: letters, digits, `-` and `.`, which no encoding changes.
    static func name(_ length: ClosedRange<Int>) -> TextGenerator {
        Gen.int(in: 0...(nameCharacters.count - 1)).array(of: length).map { indices in
            "h" + String(indices.map { nameCharacters[$0] })
        }
    }
}
