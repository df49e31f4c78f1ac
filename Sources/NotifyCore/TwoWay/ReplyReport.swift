/// What ``ReplyHandler`` did with one reply: for the log, the metrics and the callback's answer.
public struct ReplyReport: Sendable, Equatable {
    /// What was done, from a fixed set (the metrics' label).
    public enum Outcome: String, Sendable, CaseIterable {
        /// The same reply again (SMSPartner repeated its callback): nothing done twice.
        case repeated
        /// From a number that may not act (not sent the alert, not `on_call`): nothing done,
        /// nothing answered.
        case ignored
        /// A STOP: recorded, never answered.
        case stop
        /// HELP, or a reply that reads as nothing: answered with how to reply.
        case help
        /// The alert is acknowledged (at its source, or here when it has no API).
        case acknowledged
        /// The alert is closed at its source.
        case closed
        /// Nothing to do: acknowledged or resolved already.
        case settled
        /// No open alert has that code, or none was sent to the number.
        case unknownCode = "unknown_code"
        /// The source refused or could not be reached, or cannot do it: the alert stays open.
        case failed
    }

    public var outcome: Outcome
    /// The command read.
    public var command: ReplyCommand
    /// The replier, E.164 (or as given when it is not a number).
    public var sender: String
    /// The alert acted on, by name (``NotifyState/Page/name``).
    public var alert: String?
    /// What the source said, or why nothing was done.
    public var detail: String?
    /// The SMS queued to the replier, if any.
    public var answer: String?
    /// The "acked by" notices queued to the alert's other recipients.
    public var notices: Int = 0

    public init(outcome: Outcome, command: ReplyCommand, sender: String, alert: String? = nil, detail: String? = nil,
                answer: String? = nil, notices: Int = 0) {
        self.outcome = outcome
        self.command = command
        self.sender = sender
        self.alert = alert
        self.detail = detail
        self.answer = answer
        self.notices = notices
    }
}
