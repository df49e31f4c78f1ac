/// How long one SMS may be: a number of segments (billed SMS per recipient).
///
/// The count is taken in the message's own encoding, the way ``SMSMessage/measure(as:)``
/// does it.
public struct SMSBudget: Sendable, Equatable {
    /// The largest number of segments a message may take; values below 1 count as 1.
    public var maxSegments: Int
    /// Units kept free at the end for a suffix added later, one unit per character (a reply
    /// code such as ` ack:4F`, in GSM-7 characters of one unit in either encoding).
    public var reserved: Int

    /// Creates a budget of `maxSegments` segments (default 1), `reserved` units kept free.
    public init(maxSegments: Int = 1, reserved: Int = 0) {
        self.maxSegments = maxSegments
        self.reserved = max(0, reserved)
    }

    /// ``maxSegments``, at least 1.
    public var effectiveMaxSegments: Int { max(1, maxSegments) }

    /// Whether `message` fits in the budget. An empty message (0 segments) fits.
    public func fits(_ message: SMSMessage) -> Bool {
        guard reserved > 0 else { return message.measure().segments <= effectiveMaxSegments }
        return SMSMessage(message.text + String(repeating: " ", count: reserved)).measure(as: message.encoding).segments <= effectiveMaxSegments
    }

    /// `message` unchanged when it fits; else cut to fit, with `"..."` appended in GSM-7 or
    /// `"…"` in UCS-2, and `truncated == true`.
    ///
    /// The cut prefers a word boundary within the last 20% of the kept text, trims whitespace
    /// before the mark and never splits a `Character` (see ``SMSTruncator``). The result
    /// always fits, and keeps the message's encoding: the mark of a UCS-2 text is not GSM-7.
    public func truncate(_ message: SMSMessage) -> (message: SMSMessage, truncated: Bool) {
        if fits(message) { return (message, false) }
        if reserved > 0 {
            let encoding = message.encoding
            let (text, truncated) = SMSTruncator.truncate(message.text, mark: encoding.truncationMark) { candidate in
                SMSMessage(candidate + String(repeating: " ", count: reserved)).measure(as: encoding).segments <= effectiveMaxSegments
            }
            return (SMSMessage(text), truncated)
        }
        let (text, truncated) = SMSTruncator.truncate(
            message.text,
            toFitSegments: effectiveMaxSegments,
            encoding: message.encoding
        )
        return (SMSMessage(text), truncated)
    }
}
