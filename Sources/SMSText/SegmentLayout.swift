/// Greedy placement of a text's units into SMS parts, the way a concatenated SMS is built.
///
/// A text is a sequence of indivisible atoms of one or two units. An extension character
/// (escape + code), a UTF-16 surrogate pair and a newline (`:br:`, two units) are never split
/// across two parts, so a part may end one unit short of its capacity.
///
/// Appending an atom never lowers the segment count, so "fits in N segments" is monotone in the
/// prefix length of a text, which truncation relies on.
struct SegmentLayout: Sendable, Equatable {
    let encoding: SMSEncoding
    /// Total units so far.
    private(set) var units = 0
    /// Parts used so far if the text were sent as a multipart message (at least 1).
    private(set) var parts = 1
    /// Units used in the last part of the multipart layout.
    private(set) var fill = 0

    init(encoding: SMSEncoding) {
        self.encoding = encoding
    }

    /// The number of segments of the text so far: 0 when empty, 1 when it fits one single SMS,
    /// else the number of multipart parts.
    var segments: Int {
        if units == 0 { return 0 }
        if units <= encoding.singleSegmentCapacity { return 1 }
        return parts
    }

    /// Appends one indivisible atom of `size` units (1 or 2).
    mutating func append(atom size: Int) {
        units += size
        if fill + size > encoding.multipartSegmentCapacity {
            parts += 1
            fill = size
        } else {
            fill += size
        }
    }

    /// Appends every atom of `scalar`.
    mutating func append(_ scalar: Unicode.Scalar) {
        append(atom: Self.atomSize(of: scalar, in: encoding))
    }

    /// Appends every scalar of `text`.
    mutating func append(_ text: String) {
        for scalar in text.unicodeScalars { append(scalar) }
    }

    /// Appends every scalar of `character`.
    mutating func append(_ character: Character) {
        for scalar in character.unicodeScalars { append(scalar) }
    }

    /// The size of the single indivisible atom that `scalar` becomes in `encoding`.
    ///
    /// - A newline is sent as `:br:` and counts two units in both encodings.
    /// - GSM-7: the septets of ``GSM7/septets(for:)``; a scalar that GSM-7 cannot encode counts
    ///   one, as if the platform replaced it with a single substitute (measure such a text as
    ///   GSM-7 only after ``GSM7Transliterator`` has run, to know its real length).
    /// - UCS-2: its UTF-16 length, 1 or 2.
    static func atomSize(of scalar: Unicode.Scalar, in encoding: SMSEncoding) -> Int {
        if scalar == "\n" { return 2 }
        switch encoding {
        case .gsm7: return GSM7.septets(for: scalar) ?? 1
        case .ucs2: return scalar.utf16.count
        }
    }
}
