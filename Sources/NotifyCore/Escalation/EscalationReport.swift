/// What one run of the ``Escalator`` did.
public struct EscalationReport: Sendable {
    /// The steps fired and the escalations stopped or exhausted, in order.
    public var events: [EscalationEvent] = []
    /// How many escalations were active when it looked.
    public var active = 0

    public init() {}
}
