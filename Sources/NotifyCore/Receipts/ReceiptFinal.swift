import NotifyState

/// A delivery whose receipt became final: what the logs, `flush` and `/metrics` report.
public struct ReceiptFinal: Sendable, Equatable {
    /// The delivery, as it was before (``ReceiptCheck/state`` `accepted`).
    public var check: ReceiptCheck
    public var state: ReceiptState
    /// SMSPartner's words, or why it expired.
    public var detail: String?
    /// When it was recorded.
    public var at: Timestamp
    /// Whether a push (SMSPartner's callback) settled it, rather than a poll.
    public var pushed: Bool

    public init(check: ReceiptCheck, state: ReceiptState, detail: String?, at: Timestamp, pushed: Bool) {
        self.check = check
        self.state = state
        self.detail = detail
        self.at = at
        self.pushed = pushed
    }

    /// From sending to the final report.
    public var latency: Duration { at - check.sentAt }
}
