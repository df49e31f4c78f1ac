import NotifyState
import SMSText

/// A recipient's decision that an alert duplicates an earlier delivery: recorded at once by
/// ``Outbox/admit(_:lease:)``, or, found by a read (``Outbox/duplicates(of:to:dedupKey:)``), answered
/// already and recorded later with others (``Outbox/recordDuplicates(_:)``).
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

    /// The row that records it: a `duplicate` delivery pointing at ``earlier`` and its message.
    public var delivery: NewDelivery {
        NewDelivery(
            messageID: earlier.messageID, recipient: recipient.e164, state: .duplicate, reason: .duplicate,
            detail: "duplicate of #\(earlier.id) (\(earlier.state.rawValue)) decided at \(earlier.createdAt.localDateTime)",
            dedupKey: dedupKey, status: status, subject: subject, duplicateOf: earlier.id)
    }
}
