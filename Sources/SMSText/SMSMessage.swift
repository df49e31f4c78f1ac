/// The logical text of one SMS: real newlines (`"\n"`) and a real euro sign (`"€"`), as the
/// phone shows it.
///
/// ``platformText`` is the same text written with SMSPartner's tokens, ready for the `message`
/// field of a send request; ``measure(as:)`` counts it the way SMSPartner bills it.
public struct SMSMessage: Sendable, Equatable {
    /// The logical text, newlines normalized to `"\n"`.
    public let text: String

    /// The encoding the text needs: ``SMSEncoding/gsm7`` when every scalar is GSM-7
    /// encodable (`GSM7.canEncode(_:)`), else ``SMSEncoding/ucs2``.
    public let encoding: SMSEncoding

    /// Creates a message from `text`, turning `"\r\n"` and lone `"\r"` into `"\n"`.
    public init(_ text: String) {
        let normalized = Self.normalizingNewlines(text)
        self.text = normalized
        self.encoding = GSM7.canEncode(normalized) ? .gsm7 : .ucs2
    }

    /// Two messages are equal when their texts have exactly the same Unicode scalars.
    ///
    /// Stricter than `String`'s `==`, which treats `"é"` and `"e\u{301}"` as equal although
    /// one is GSM-7 and the other UCS-2.
    public static func == (lhs: SMSMessage, rhs: SMSMessage) -> Bool {
        lhs.text.unicodeScalars.elementsEqual(rhs.text.unicodeScalars)
    }

    /// Measures the text in `encoding`, by default the message's own ``encoding``.
    ///
    /// A newline counts two units (SMSPartner's `:br:`), `€` two septets in GSM-7 and one unit
    /// in UCS-2, other extension characters two septets, scalars outside the BMP (emoji) two
    /// UTF-16 units. One SMS holds 160 septets or 70 UCS-2 units; a longer text is billed in
    /// parts of 153 or 67, filled greedily without splitting a two-unit character between two
    /// parts. An empty text is 0 units and 0 segments.
    ///
    /// Measuring a UCS-2 text as GSM-7 counts each non-GSM-7 scalar as one septet.
    public func measure(as encoding: SMSEncoding? = nil) -> SMSMeasurement {
        let encoding = encoding ?? self.encoding
        var layout = SegmentLayout(encoding: encoding)
        layout.append(text)
        return SMSMeasurement(
            encoding: encoding,
            units: layout.units,
            characters: text.count,
            segments: layout.segments
        )
    }

    /// The text as sent to SMSPartner: each newline becomes `:br:` and each `€` becomes
    /// `:euro:`, the platform's tokens.
    public var platformText: String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += ":br:"
            case "\u{20AC}": result += ":euro:"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` with `"\r\n"` and lone `"\r"` replaced by `"\n"`.
    static func normalizingNewlines(_ text: String) -> String {
        guard text.unicodeScalars.contains("\r") else { return text }
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                result.append("\n")
                previousWasCR = true
            } else {
                if !(scalar == "\n" && previousWasCR) { result.append(scalar) }
                previousWasCR = false
            }
        }
        return String(result)
    }
}
