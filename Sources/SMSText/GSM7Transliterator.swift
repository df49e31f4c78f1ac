/// Maps the characters that commonly stray into alert texts to their nearest GSM-7 form, so
/// that one curly quote or `ê` does not switch a whole SMS to UCS-2 (which halves its length).
///
/// The mapping, one `Character` (grapheme cluster) at a time:
/// - GSM-7 characters are kept, including `é è ù ì ò à Ç É ä ö ü ñ Ä Ö Ü Ñ Å å Ø ø Æ æ ß`
///   and the extension characters; a GSM-7 letter written with a combining accent or a
///   canonically equivalent sign (Ohm `Ω`, Kelvin `K`, Angstrom `Å`) is recomposed to it.
/// - Punctuation: `‘ ’ ‚ ‛ ′ ´` and `` ` `` → `'`; `“ ” „ ‟ ″ « »` → `"`; dashes and the minus
///   sign → `-`; `…` → `...`; `•` and similar bullets → `-`; `·` → `.`; other opening and
///   closing brackets → `(` `)`.
/// - Spaces: no-break, narrow, thin and other Unicode spaces and tab → space; line and
///   paragraph separators → newline; zero-width characters, soft hyphens and other invisible
///   format characters are removed.
/// - Latin letters outside GSM-7 → their base letter, case kept (`â ê î ô û ë ï ç á í ó ú ý ã
///   õ ā ł` → `a e i o u e i c a i o u y a o a l`), found from the Unicode character name, so
///   every Latin letter is covered without a table; ligatures and special letters spelled out
///   (`œ` → `oe`, `Œ` → `OE`, `ẞ` → `SS`, `þ` → `th`, `ð` → `d`).
/// - Greek capitals that look Latin → the Latin letter (`Α` → `A`); `µ` and `μ` → `u`
///   (`µs` → `us`).
/// - Signs: `™` → `TM`, `©` → `(c)`, `®` → `(R)`, `×` → `x`, `÷` → `/`, `±` → `+/-`,
///   `≤ ≥ ≠` → `<= >= !=`, arrows → `->` `<-` `<->` `=>`, `½ ¼ ¾` → `1/2 1/4 3/4`.
/// - Degree sign: `°C`/`°F` → `C`/`F` (`42°C` → `42C`), `N°`/`n°` (French "numéro") →
///   `No`/`no`, any other `°` → `deg` (`90°` → `90deg`); `℃` → `C`, `℉` → `F`. (SMSPartner's
///   own table would turn `°` into `.`, which reads as a decimal point.)
/// - Digits of other scripts, superscripts and circled numbers → ASCII digits (`²` → `2`).
/// - Fullwidth ASCII forms → ASCII.
/// - Emoji (with their ZWJ sequences, skin tones and flags) and other symbols are removed.
/// - Letters and numbers of other scripts (Cyrillic, Greek lower case, CJK, Arabic, ...)
///   become `?`: a text made of them should be sent as UCS-2 without transliteration, which
///   ``isMostlyLatin(_:maxForeignCharacters:)`` lets the caller decide first.
///
/// The result is always GSM-7 encodable. Newlines, including `"\r\n"`, are kept.
public enum GSM7Transliterator {
    /// Transliterates `text` to GSM-7, listing what was replaced.
    public static func transliterate(_ text: String) -> GSM7Transliteration {
        if GSM7.canEncode(text) { return GSM7Transliteration(text: text, replaced: [:]) }
        let characters = Array(text)
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var replaced: [String: String] = [:]
        for index in characters.indices {
            let character = characters[index]
            switch mapping(of: characters, at: index) {
            case .keep:
                output.append(character)
            case .recompose(let composed):
                output.append(composed)
            case .replace(let replacement):
                output += replacement
                replaced[String(character)] = replacement
            }
        }
        return GSM7Transliteration(text: output, replaced: replaced)
    }

    /// Whether `text` is Latin enough to be transliterated: at most `maxForeignCharacters`
    /// of its characters are letters or numbers that ``transliterate(_:)`` cannot map and
    /// would turn into `?` (Cyrillic, Greek lower case, CJK, Arabic, ...).
    ///
    /// When it returns `false`, send the text as it is, in UCS-2. A text without letters
    /// (digits, punctuation, emoji) is Latin enough.
    public static func isMostlyLatin(_ text: String, maxForeignCharacters: Int = 3) -> Bool {
        foreignCharacterCount(text, stoppingAfter: maxForeignCharacters) <= maxForeignCharacters
    }

    /// The number of characters of `text` that ``transliterate(_:)`` would turn into `?`.
    public static func foreignCharacterCount(_ text: String) -> Int {
        foreignCharacterCount(text, stoppingAfter: Int.max)
    }

    // MARK: - Mapping

    /// What happens to one character.
    enum Mapping: Equatable {
        /// Already GSM-7.
        case keep
        /// Canonically equivalent to this GSM-7 character.
        case recompose(Character)
        /// Replaced by this text, empty when removed.
        case replace(String)
    }

    /// The replacement of letters and numbers that have no GSM-7 form.
    static let unknown = "?"

    private static func foreignCharacterCount(_ text: String, stoppingAfter limit: Int) -> Int {
        let characters = Array(text)
        var count = 0
        for index in characters.indices where mapping(of: characters, at: index) == .replace(unknown) {
            count += 1
            if count > limit { break }
        }
        return count
    }

    /// The mapping of `characters[index]`; the neighbours matter for `°` only.
    static func mapping(of characters: [Character], at index: Int) -> Mapping {
        let character = characters[index]
        let scalars = character.unicodeScalars
        if scalars.allSatisfy(GSM7.canEncode) { return .keep }
        if let position = gsm7Characters.firstIndex(of: character) {
            return .recompose(gsm7Characters[position])
        }
        guard let base = scalars.first else { return .replace("") }
        if base == "\u{B0}" { return .replace(degree(in: characters, at: index)) }
        return .replace(replacement(for: base))
    }

    /// Every single-scalar GSM-7 character. `Set<Character>` compares by canonical
    /// equivalence, so looking up `"e\u{301}"` finds `"é"`.
    static let gsm7Characters: Set<Character> = {
        var set: Set<Character> = []
        let ranges: [ClosedRange<UInt32>] = [0x0A...0x0D, 0x20...0x7E, 0xA0...0xFF, 0x0391...0x03A9, 0x20AC...0x20AC]
        for range in ranges {
            for value in range {
                if let scalar = Unicode.Scalar(value), GSM7.canEncode(scalar) {
                    set.insert(Character(scalar))
                }
            }
        }
        return set
    }()

    /// The replacement of `°` given its neighbours.
    private static func degree(in characters: [Character], at index: Int) -> String {
        let next = index + 1 < characters.count ? characters[index + 1] : nil
        if next == "C" || next == "F" { return "" }
        if index >= 1, characters[index - 1] == "N" || characters[index - 1] == "n",
            index < 2 || !characters[index - 2].isLetter
        {
            return "o"
        }
        return "deg"
    }

    /// The GSM-7 replacement of a scalar that is not GSM-7, the first of its cluster (the rest
    /// of the cluster, combining marks or emoji modifiers, is dropped).
    static func replacement(for scalar: Unicode.Scalar) -> String {
        if GSM7.canEncode(scalar) { return String(scalar) }
        if let mapped = table(scalar) { return mapped }
        let value = scalar.value
        if (0xFF01...0xFF5E).contains(value), let ascii = Unicode.Scalar(value - 0xFEE0) {
            return replacement(for: ascii)  // fullwidth ASCII
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .spaceSeparator:
            return " "
        case .lineSeparator, .paragraphSeparator:
            return "\n"
        case .format, .control, .nonspacingMark, .spacingMark, .enclosingMark, .surrogate,
            .privateUse, .unassigned:
            return ""
        case .decimalNumber, .letterNumber, .otherNumber:
            return integerDigits(of: properties) ?? unknown
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return latinBase(of: scalar) ?? unknown
        case .dashPunctuation:
            return "-"
        case .openPunctuation:
            return "("
        case .closePunctuation:
            return ")"
        case .initialPunctuation, .finalPunctuation:
            return "\""
        case .connectorPunctuation:
            return "_"
        case .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return ""
        @unknown default:
            return ""
        }
    }

    /// The decimal digits of a number character with an integral value (`²`, `③`, `٣`, `Ⅻ`).
    private static func integerDigits(of properties: Unicode.Scalar.Properties) -> String? {
        guard let value = properties.numericValue, value >= 0, value < 1_000_000,
            value == value.rounded(.towardZero)
        else { return nil }
        return String(Int(value))
    }

    /// The base letter(s) of a Latin letter, from its Unicode name: "LATIN SMALL LETTER A WITH
    /// CIRCUMFLEX" → "a", "LATIN CAPITAL LIGATURE OE" → "OE".
    static func latinBase(of scalar: Unicode.Scalar) -> String? {
        guard let name = scalar.properties.name else { return nil }
        var words = name.split(separator: " ")[...]
        guard words.popFirst() == "LATIN" else { return nil }
        let small: Bool
        switch words.popFirst() {
        case "SMALL": small = true
        case "CAPITAL": small = false
        default: return nil
        }
        guard let kind = words.popFirst(), kind == "LETTER" || kind == "LIGATURE" else { return nil }
        guard var letter = words.popFirst() else { return nil }
        let special: [Substring: String] = [
            "ETH": "d", "THORN": "th", "ENG": "n", "SHARP": "ss", "EZH": "z", "SCHWA": "e",
        ]
        if let spelled = special[letter] { return small ? spelled : spelled.uppercased() }
        let adjectives: Set<Substring> = [
            "DOTLESS", "OPEN", "TURNED", "REVERSED", "SCRIPT", "CLOSED", "BARRED", "LONG",
            "STRETCHED", "TAILLESS", "INSULAR", "BROKEN", "SIDEWAYS", "FLATTENED", "MIDDLE",
        ]
        if adjectives.contains(letter), let next = words.first, next != "WITH" {
            letter = next
        }
        guard (1...2).contains(letter.count),
            letter.allSatisfy({ $0.isASCII && $0.isUppercase })
        else { return nil }
        return small ? letter.lowercased() : String(letter)
    }

    /// Replacements that the general rules do not give.
    private static func table(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x00B4, 0x0060, 0x02BC, 0x02B9, 0x2039,
            0x203A, 0x02BB, 0x02C8:
            return "'"
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0x00AB, 0x00BB, 0x02BA:
            return "\""
        case 0x2212, 0x2043, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015:
            return "-"
        case 0x2026: return "..."
        case 0x2025: return ".."
        case 0x2022, 0x2023, 0x25E6, 0x2219, 0x25AA, 0x25CF: return "-"
        case 0x00B7: return "."
        case 0x0009: return " "
        case 0x0085: return "\n"
        case 0x2122: return "TM"
        case 0x00A9: return "(c)"
        case 0x00AE: return "(R)"
        case 0x2103: return "C"
        case 0x2109: return "F"
        case 0x00BA: return "o"
        case 0x00AA: return "a"
        case 0x00D7: return "x"
        case 0x00F7: return "/"
        case 0x00B1: return "+/-"
        case 0x2264: return "<="
        case 0x2265: return ">="
        case 0x2260: return "!="
        case 0x2248: return "~"
        case 0x2192: return "->"
        case 0x2190: return "<-"
        case 0x2194: return "<->"
        case 0x21D2: return "=>"
        case 0x00BD: return "1/2"
        case 0x00BC: return "1/4"
        case 0x00BE: return "3/4"
        case 0x00A2: return "c"
        case 0x00B5, 0x03BC: return "u"
        case 0x02C6: return "^"
        case 0x02DC: return "~"
        case 0x3002, 0xFF61: return "."
        case 0x3001, 0xFF64: return ","
        // Greek capitals that look like Latin letters (the others are GSM-7).
        case 0x0391: return "A"
        case 0x0392: return "B"
        case 0x0395: return "E"
        case 0x0396: return "Z"
        case 0x0397: return "H"
        case 0x0399: return "I"
        case 0x039A: return "K"
        case 0x039C: return "M"
        case 0x039D: return "N"
        case 0x039F: return "O"
        case 0x03A1: return "P"
        case 0x03A4: return "T"
        case 0x03A5: return "Y"
        case 0x03A7: return "X"
        default: return nil
        }
    }
}
