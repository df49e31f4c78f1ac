/// A stored delivery: one recipient's copy of a message and everything that happened to it.
public struct DeliveryRecord: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var messageID: Int64
    public var recipient: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var state: DeliveryState
    public var reason: DecisionReason?
    public var detail: String?
    public var dedupKey: String?
    public var status: String?
    public var subject: String?
    public var duplicateOf: Int64?
    /// For a digested delivery: the digest's delivery.
    public var digestID: Int64?
    /// Requests made for it so far.
    public var attempts: Int
    public var nextAttemptAt: Timestamp?
    public var leaseUntil: Timestamp?
    public var sentAt: Timestamp?
    /// SMSPartner's `message_id`, `nb_sms` and `cost` (a request's figures shared evenly
    /// between its recipients). A `sent` delivery without a `message_id` was confirmed by a
    /// lookup of its tag after its request went unanswered.
    public var providerMessageID: String?
    public var nbSMS: Int?
    public var cost: Double?
    public var currency: String?
    /// For a failure: its class (`transient`, `rejected`, `account`, `configuration`) and text.
    public var errorClass: String?
    public var error: String?
    /// The message's text, source and digest label (joined in by the queries that need them).
    public var text: String?
    public var source: String?
    public var typeLabel: String?
    public var label: String?
    /// The message's SMSPartner tag (joined in by the queries that need it).
    public var tag: String?
    /// For a tracked sent delivery: what SMSPartner reported of it, since when, in its words.
    public var receipt: ReceiptState?
    public var receiptAt: Timestamp?
    public var receiptDetail: String?

    public init(
        id: Int64, messageID: Int64, recipient: String, createdAt: Timestamp, updatedAt: Timestamp, state: DeliveryState,
        reason: DecisionReason? = nil, detail: String? = nil, dedupKey: String? = nil, status: String? = nil,
        subject: String? = nil, duplicateOf: Int64? = nil, digestID: Int64? = nil, attempts: Int = 0,
        nextAttemptAt: Timestamp? = nil, leaseUntil: Timestamp? = nil, sentAt: Timestamp? = nil,
        providerMessageID: String? = nil, nbSMS: Int? = nil, cost: Double? = nil, currency: String? = nil,
        errorClass: String? = nil, error: String? = nil, text: String? = nil, source: String? = nil,
        typeLabel: String? = nil, label: String? = nil, tag: String? = nil, receipt: ReceiptState? = nil,
        receiptAt: Timestamp? = nil, receiptDetail: String? = nil
    ) {
        self.receipt = receipt
        self.receiptAt = receiptAt
        self.receiptDetail = receiptDetail
        self.tag = tag
        self.id = id
        self.messageID = messageID
        self.recipient = recipient
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.state = state
        self.reason = reason
        self.detail = detail
        self.dedupKey = dedupKey
        self.status = status
        self.subject = subject
        self.duplicateOf = duplicateOf
        self.digestID = digestID
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseUntil = leaseUntil
        self.sentAt = sentAt
        self.providerMessageID = providerMessageID
        self.nbSMS = nbSMS
        self.cost = cost
        self.currency = currency
        self.errorClass = errorClass
        self.error = error
        self.text = text
        self.source = source
        self.typeLabel = typeLabel
        self.label = label
    }
}
