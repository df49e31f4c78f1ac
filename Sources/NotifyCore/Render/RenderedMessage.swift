import SMSText

/// An alert turned into the SMS that will be sent, with what the renderer measured.
public struct RenderedMessage: Sendable, Equatable {
    /// The SMS, within the budget.
    public var message: SMSMessage
    /// Encoding, characters, units and segments of ``message``.
    public var measurement: SMSMeasurement
    /// Whether the text had to be cut to fit.
    public var truncated: Bool
    /// Which template produced the text (e.g. `default/nagios-service`, `--message`).
    public var template: String

    public init(message: SMSMessage, measurement: SMSMeasurement, truncated: Bool, template: String) {
        self.message = message
        self.measurement = measurement
        self.truncated = truncated
        self.template = template
    }
}
