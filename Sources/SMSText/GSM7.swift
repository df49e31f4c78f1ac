/// The GSM 03.38 default alphabet ("GSM-7") and its extension table.
///
/// A character of the basic table takes one septet; a character of the extension table
/// (`^ { } [ ] ~ | \ €` and form feed) takes two, an escape septet followed by its code.
/// Everything else cannot be sent in GSM-7 and forces the whole SMS into UCS-2.
///
/// Lookups are by Unicode scalar and exact: Greek capitals that look like Latin letters
/// (Greek Alpha U+0391, ...) are not GSM-7, and neither is a letter written as a base letter
/// plus a combining accent (`"e\u{301}"`); ``GSM7Transliterator`` composes those.
public enum GSM7 {
    /// The number of septets `scalar` takes in GSM-7: 1 for the basic table, 2 for the
    /// extension table, `nil` when it cannot be encoded.
    ///
    /// This is the GSM encoding itself; the SMSPartner rule that a newline (sent as `:br:`)
    /// counts as two characters is applied by ``SMSMessage/measure(as:)``, not here.
    public static func septets(for scalar: Unicode.Scalar) -> Int? {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x0A, 0x0D: return 1  // LF, CR
            case 0x0C: return 2  // form feed (extension table)
            case 0x5E, 0x7B, 0x7D, 0x5B, 0x5D, 0x7E, 0x7C, 0x5C: return 2  // ^ { } [ ] ~ | \
            case 0x60: return nil  // ` is not in GSM-7
            case 0x20...0x7E: return 1
            default: return nil  // other control characters
            }
        }
        switch value {
        case 0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7,  // £ ¥ è é ù ì ò Ç
            0x00D8, 0x00F8, 0x00C5, 0x00E5,  // Ø ø Å å
            0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E,  // Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ
            0x00C6, 0x00E6, 0x00DF, 0x00C9,  // Æ æ ß É
            0x00A4, 0x00A1,  // ¤ ¡
            0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,  // Ä Ö Ñ Ü §
            0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0:  // ¿ ä ö ñ ü à
            return 1
        case 0x20AC:  // € (extension table)
            return 2
        default:
            return nil
        }
    }

    /// Whether `scalar` is in the basic table or the extension table.
    public static func canEncode(_ scalar: Unicode.Scalar) -> Bool {
        septets(for: scalar) != nil
    }

    /// Whether every Unicode scalar of `text` is in the basic table or the extension table,
    /// so that `text` can be sent as GSM-7. The empty text can.
    public static func canEncode(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { septets(for: $0) != nil }
    }

    /// Whether `scalar` is one of the extension-table characters, which take two septets.
    public static func isExtension(_ scalar: Unicode.Scalar) -> Bool {
        septets(for: scalar) == 2
    }
}
