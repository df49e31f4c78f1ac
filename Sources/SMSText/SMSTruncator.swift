/// Cuts texts so that they fit a length limit, the building block of ``SMSBudget`` and of
/// field-priority truncation (shorten one field of a template until the whole SMS fits).
///
/// Every function here follows the same rules:
/// - a text that already fits is returned unchanged, with `truncated == false`;
/// - otherwise the longest prefix is kept for which the prefix followed by the mark fits;
/// - the cut moves back to a word boundary (whitespace) when one lies within the last 20% of
///   the kept text, and whitespace before the mark is trimmed;
/// - the cut is always between two `Character`s (grapheme clusters), so never inside a
///   surrogate pair, a combining sequence, an emoji ZWJ sequence or a `"\r\n"` pair;
/// - the result (kept text + mark) fits; when not even the mark alone fits, the result is the
///   empty string, and the caller has to shorten something else.
///
/// The mark should start with a character that cannot combine with what precedes it
/// (`"..."`, `"…"`, `" [cut]"`); ``SMSEncoding/truncationMark`` gives the usual one.
public enum SMSTruncator {
    /// Cuts `text` so that `fits(result)` holds, with `mark` appended when it was cut.
    ///
    /// `fits` is the caller's complete check, for example "the template rendered with this
    /// output field fits the budget":
    ///
    /// ```swift
    /// let output = SMSTruncator.truncate(alert.output, mark: "...") { candidate in
    ///     budget.fits(SMSMessage(render(output: candidate)))
    /// }.text
    /// ```
    ///
    /// `fits` must be monotone: if a candidate fits, so does every shorter prefix of it
    /// followed by the same mark (true of any SMS length check, as appending a character never
    /// lowers a count). It is called about log2(character count) + 3 times.
    public static func truncate(
        _ text: String,
        mark: String,
        fits: (String) -> Bool
    ) -> (text: String, truncated: Bool) {
        if fits(text) { return (text, false) }
        guard fits(mark) else { return ("", true) }
        let characters = Array(text)
        // Largest kept count k with fits(prefix(k) + mark); fits(prefix(0) + mark) holds.
        var low = 0
        var high = characters.count
        while low < high {
            let middle = (low + high + 1) / 2
            if fits(String(characters[..<middle]) + mark) {
                low = middle
            } else {
                high = middle - 1
            }
        }
        let cut = cutPosition(in: characters, keeping: low)
        let result = String(characters[..<cut]) + mark
        // A non-monotone `fits` could reject the shorter word-boundary cut: keep the longest then.
        if cut == low || fits(result) { return (result, true) }
        return (String(characters[..<low]) + mark, true)
    }

    /// Cuts `text` so that it fits in `maxSegments` SMS in `encoding` (values below 1 count
    /// as 1), counted like ``SMSMessage/measure(as:)``.
    ///
    /// `mark` defaults to ``SMSEncoding/truncationMark`` of `encoding`. `text` is taken as
    /// given: pass a logical text with `"\n"` newlines (``SMSMessage/text``); a `"\r"` counts
    /// as one unit.
    public static func truncate(
        _ text: String,
        toFitSegments maxSegments: Int,
        encoding: SMSEncoding,
        mark: String? = nil
    ) -> (text: String, truncated: Bool) {
        let limit = max(1, maxSegments)
        return truncate(text, encoding: encoding, mark: mark ?? encoding.truncationMark) {
            $0.segments <= limit
        }
    }

    /// Cuts `text` so that it is at most `units` long in `encoding` (septets or UTF-16 units,
    /// a newline counting two), regardless of how SMS parts fall: useful to give one field of
    /// a template a fixed share of the budget.
    ///
    /// `mark` defaults to ``SMSEncoding/truncationMark`` of `encoding`. A `units` below the
    /// mark's own length gives the empty string.
    public static func truncate(
        _ text: String,
        toFit units: Int,
        encoding: SMSEncoding,
        mark: String? = nil
    ) -> (text: String, truncated: Bool) {
        truncate(text, encoding: encoding, mark: mark ?? encoding.truncationMark) {
            $0.units <= units
        }
    }

    /// The linear-time cut used by the length-based variants: one pass over the characters,
    /// checking `accepts` on the layout of each prefix followed by the mark.
    static func truncate(
        _ text: String,
        encoding: SMSEncoding,
        mark: String,
        accepts: (SegmentLayout) -> Bool
    ) -> (text: String, truncated: Bool) {
        var whole = SegmentLayout(encoding: encoding)
        whole.append(text)
        if accepts(whole) { return (text, false) }

        let characters = Array(text)
        var prefix = SegmentLayout(encoding: encoding)
        var kept = -1  // largest k with accepts(prefix(k) + mark), -1 when none
        for k in 0...characters.count {
            var candidate = prefix
            candidate.append(mark)
            guard accepts(candidate) else { break }
            kept = k
            if k < characters.count { prefix.append(characters[k]) }
        }
        guard kept >= 0 else { return ("", true) }
        let cut = cutPosition(in: characters, keeping: kept)
        return (String(characters[..<cut]) + mark, true)
    }

    /// Where to cut once `kept` characters are known to fit: at `kept` when that is already a
    /// word boundary, else before the last whitespace within the last 20% of the kept text if
    /// there is one, else at `kept`; then back over trailing whitespace.
    static func cutPosition(in characters: [Character], keeping kept: Int) -> Int {
        var cut = kept
        let atBoundary =
            kept == 0 || kept >= characters.count
            || characters[kept].isWhitespace || characters[kept - 1].isWhitespace
        if !atBoundary {
            var index = kept - 1
            let lowest = kept - kept / 5
            while index >= lowest {
                if characters[index].isWhitespace {
                    cut = index
                    break
                }
                index -= 1
            }
        }
        while cut > 0 && characters[cut - 1].isWhitespace { cut -= 1 }
        return cut
    }
}
