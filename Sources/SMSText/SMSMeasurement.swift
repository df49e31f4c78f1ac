/// How long an SMS text is, the way SMSPartner bills it.
public struct SMSMeasurement: Sendable, Equatable {
    /// The encoding the text was measured in.
    public let encoding: SMSEncoding
    /// The billed length: septets in GSM-7 (an extension character counts two), UTF-16 code
    /// units in UCS-2 (an emoji or other scalar outside the BMP counts two); a newline counts
    /// two in both, as SMSPartner sends it as `:br:`.
    public let units: Int
    /// The number of user-visible characters (`Character`s, that is grapheme clusters) of
    /// the logical text; a newline is one.
    public let characters: Int
    /// The number of SMS the text is billed as, per recipient. An empty text is 0 units and
    /// 0 segments: there is nothing to send.
    public let segments: Int

    /// Creates a measurement from its parts.
    public init(encoding: SMSEncoding, units: Int, characters: Int, segments: Int) {
        self.encoding = encoding
        self.units = units
        self.characters = characters
        self.segments = segments
    }
}
