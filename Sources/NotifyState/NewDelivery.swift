/// One decision about one recipient, to record.
public struct NewDelivery: Sendable, Equatable {
    public var messageID: Int64
    /// E.164 number.
    public var recipient: String
    public var state: DeliveryState
    public var reason: DecisionReason?
    /// The reason in words (`5 in 15m`, `duplicate of #12 sent at 14:02`).
    public var detail: String?
    /// The alert's identity and status, which deduplication compares.
    public var dedupKey: String?
    public var status: String?
    /// What the alert is about (host/service, fingerprint, group key), across statuses.
    public var subject: String?
    /// For a duplicate: the delivery it duplicates.
    public var duplicateOf: Int64?
    /// For ``DeliveryState/sending``: who sends it, and until when the claim holds.
    public var leaseOwner: String?
    public var leaseUntil: Timestamp?
    /// It reports a change to the worst state (a host DOWN, a service CRITICAL, severity
    /// `critical`), or it is a digest of such: the recipient's rate limits count it in a
    /// budget of its own.
    public var urgent: Bool

    public init(
        messageID: Int64, recipient: String, state: DeliveryState, reason: DecisionReason? = nil, detail: String? = nil,
        dedupKey: String? = nil, status: String? = nil, subject: String? = nil, duplicateOf: Int64? = nil,
        leaseOwner: String? = nil, leaseUntil: Timestamp? = nil, urgent: Bool = false
    ) {
        self.urgent = urgent
        self.messageID = messageID
        self.recipient = recipient
        self.state = state
        self.reason = reason
        self.detail = detail
        self.dedupKey = dedupKey
        self.status = status
        self.subject = subject
        self.duplicateOf = duplicateOf
        self.leaseOwner = leaseOwner
        self.leaseUntil = leaseUntil
    }
}
