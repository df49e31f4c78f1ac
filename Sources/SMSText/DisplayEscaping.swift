/// Text made safe to print on one line of a terminal, a log or a file a script parses.
///
/// Alert input is untrusted: a host name, an output, a phone number or a receiver name can
/// carry a newline (which would forge a second line of output), a carriage return (which
/// overwrites the line on a terminal), or an escape sequence (which a terminal executes).
/// Every such character is written as a visible escape instead:
///
/// - `\n`, `\r`, `\t` for those three, `\xHH` for the other C0 controls and DEL;
/// - `\u{HHHH}` for the C1 controls (`U+0080`–`U+009F`, among them the 8-bit CSI), the
///   Unicode line and paragraph separators and NEL, and the bidirectional overrides, isolates
///   and marks (which reorder what a reader sees).
///
/// Everything else, backslashes included, is kept as it is, so escaping text that is already
/// safe changes nothing.
public enum DisplayEscaping {
    /// `text` with every character above escaped.
    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        guard mayNeedEscape(text.utf8) else { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out += escape(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// False when no byte can start a character that needs an escape (one pass over the
    /// UTF-8, no decoding): most log lines and outputs, accented or not, take this path.
    static func mayNeedEscape<C: Collection>(_ utf8: C) -> Bool where C.Element == UInt8 {
        var previous: UInt8 = 0
        for byte in utf8 {
            switch (previous, byte) {
            case (_, 0x00...0x1F), (_, 0x7F): return true
            case (0xC2, 0x80...0x9F): return true  // U+0080-009F
            case (0xD8, 0x9C): return true  // U+061C
            case (0xE2, 0x80...0x81): return true  // U+2000-207F: separators, bidi marks and controls
            default: break
            }
            previous = byte
        }
        return false
    }

    /// Whether `text` holds nothing that ``escaped(_:)`` would change.
    public static func isSafe<S: StringProtocol>(_ text: S) -> Bool {
        !text.unicodeScalars.contains(where: needsEscape)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x202A...0x202E, 0x2066...0x2069: true  // bidi embeddings, overrides, isolates
        case 0x200E, 0x200F, 0x061C: true  // bidi marks
        default: false
        }
    }

    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            if scalar.value <= 0x7F { return "\\x" + (hex.count < 2 ? "0" + hex : hex) }
            return "\\u{" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "}"
        }
    }
}

extension StringProtocol {
    /// This text with control characters, line separators and bidi overrides escaped
    /// (``DisplayEscaping/escaped(_:)``): safe on one line of output.
    public var displayEscaped: String { DisplayEscaping.escaped(self) }
}
