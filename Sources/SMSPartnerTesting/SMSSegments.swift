/// How many SMS a message costs per recipient, the way SMSPartner bills it.
enum SMSSegments {
    /// The number of segments for `message`: 160 characters in one SMS, else 153 per part
    /// (70 / 67 with `unicode`). `:br:` and `:euro:` count as two characters, `€` as two in
    /// GSM-7, and the characters SMSPartner removes (`^ ~ | \ ¨ §`) as none.
    ///
    /// Counts Unicode scalars (UTF-16 units with `unicode`), in one pass over the scalars, so a
    /// multi-megabyte body stays cheap even in a debug build.
    static func count(message: String, unicode: Bool) -> Int {
        let single = unicode ? 70 : 160
        let part = unicode ? 67 : 153
        let length = length(of: message, unicode: unicode)
        if length <= single { return 1 }
        return (length + part - 1) / part
    }

    /// The billed length of `message`.
    static func length(of message: String, unicode: Bool) -> Int {
        var length = 0
        for scalar in message.unicodeScalars {
            switch scalar {
            case "^", "~", "|", "\\", "¨", "§": length += unicode ? 1 : 0
            case "€": length += unicode ? 1 : 2
            default: length += unicode ? UTF16.width(scalar) : 1
            }
        }
        // Tokens: ":br:" (4 scalars) counts as 2; ":euro:" (6 scalars) as 2 (GSM-7) or 1 (UCS-2).
        length -= 2 * occurrences(of: ":br:", in: message)
        length -= (unicode ? 5 : 4) * occurrences(of: ":euro:", in: message)
        return length
    }

    /// The number of non-overlapping occurrences of the ASCII `token` in `text`.
    private static func occurrences(of token: StaticString, in text: String) -> Int {
        let pattern = UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount)
        guard let first = pattern.first else { return 0 }
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            var count = 0
            var index = 0
            while index + pattern.count <= bytes.count {
                if bytes[index] == first, bytes[index..<index + pattern.count].elementsEqual(pattern) {
                    count += 1
                    index += pattern.count
                } else {
                    index += 1
                }
            }
            return count
        } ?? 0
    }
}
