import SMSText

/// A notification turned into the SMS that will be sent, with what the renderer measured and did.
public struct RenderedMessage: Sendable, Equatable {
    /// The SMS, within the budget.
    public var message: SMSMessage
    /// Encoding, characters, units and segments of ``message``.
    public var measurement: SMSMeasurement
    /// What was shortened to fit, in order: `details`, `message`, `alerts` (fewer listed),
    /// `labels`, `text` (the whole text cut, the last resort). Empty when nothing was.
    public var truncated: [String]
    /// Characters replaced to stay in GSM-7, as `original → replacement` pairs sorted by the
    /// original (`→ ""` when dropped).
    public var transliterated: [(from: String, to: String)]
    /// Which template produced the text (e.g. `service (built-in)`, `nagios-service (config)`,
    /// `--message`).
    public var template: String

    public init(
        message: SMSMessage,
        measurement: SMSMeasurement,
        truncated: [String] = [],
        transliterated: [(from: String, to: String)] = [],
        template: String
    ) {
        self.message = message
        self.measurement = measurement
        self.truncated = truncated
        self.transliterated = transliterated
        self.template = template
    }

    /// Whether anything was shortened.
    public var wasTruncated: Bool { !truncated.isEmpty }

    public static func == (lhs: RenderedMessage, rhs: RenderedMessage) -> Bool {
        lhs.message == rhs.message && lhs.measurement == rhs.measurement && lhs.truncated == rhs.truncated
            && lhs.template == rhs.template
            && lhs.transliterated.map { "\($0.from)\u{0}\($0.to)" } == rhs.transliterated.map { "\($0.from)\u{0}\($0.to)" }
    }
}
