import NotifyState
import SMSText

/// A duplicate found by a read (``Outbox/duplicates(of:)``), answered already and recorded
/// later with others (``Outbox/recordDuplicates(_:)``).
public struct DuplicateDecision: Sendable {
    public var recipient: PhoneNumber
    /// The delivery it duplicates.
    public var earlier: DeliveryRecord
    public var dedupKey: String?
    public var status: String?
    public var subject: String?
    /// When it was decided: the time it is recorded with.
    public var decidedAt: Timestamp

    public init(recipient: PhoneNumber, earlier: DeliveryRecord, dedupKey: String?, status: String?, subject: String?,
                decidedAt: Timestamp) {
        self.recipient = recipient
        self.earlier = earlier
        self.dedupKey = dedupKey
        self.status = status
        self.subject = subject
        self.decidedAt = decidedAt
    }
}
