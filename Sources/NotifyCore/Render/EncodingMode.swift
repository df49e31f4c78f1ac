import SMSText

/// How the renderer chooses between GSM-7 and UCS-2 (`encoding:` in the configuration).
public enum EncodingMode: String, Sendable, Equatable, CaseIterable {
    /// GSM-7 whenever the text is Latin enough: stray curly quotes, dashes, accents and emoji
    /// are transliterated ("…" → "...", "ê" → "e", emoji dropped); a truly non-Latin text
    /// (more than 3 letters with no GSM-7 form, e.g. Cyrillic) is sent as it is, in UCS-2.
    case auto
    /// Always GSM-7: everything is transliterated, letters with no GSM-7 form become `?`.
    case gsm7
    /// Never transliterate: any character outside GSM-7 makes the SMS UCS-2 (70 characters).
    case unicode

    /// `text` as it will be sent under this mode, with what was replaced.
    public func apply(to text: String) -> GSM7Transliteration {
        switch self {
        case .unicode:
            return GSM7Transliteration(text: text, replaced: [:])
        case .gsm7:
            return GSM7Transliterator.transliterate(text)
        case .auto:
            if GSM7.canEncode(text) || !GSM7Transliterator.isMostlyLatin(text) {
                return GSM7Transliteration(text: text, replaced: [:])
            }
            return GSM7Transliterator.transliterate(text)
        }
    }
}
