/// A queued delivery that this process has claimed (state ``DeliveryState/sending`` with its
/// lease) and must now send, then record.
public struct ClaimedDelivery: Sendable, Equatable {
    public var deliveryID: Int64
    public var messageID: Int64
    public var recipient: String
    /// The SMS text to send.
    public var text: String
    public var createdAt: Timestamp
    /// Requests made for it before this one.
    public var attempts: Int
    /// The message's SMSPartner tag (nil only for a message stored without one).
    public var tag: String?
    /// A request for it may have reached SMSPartner already (``DeliveryState/unknown``, or a
    /// claim whose sender stopped): SMSPartner must be asked before it is sent again.
    public var outcomeUnknown: Bool

    public init(deliveryID: Int64, messageID: Int64, recipient: String, text: String, createdAt: Timestamp, attempts: Int,
                tag: String? = nil, outcomeUnknown: Bool = false) {
        self.tag = tag
        self.outcomeUnknown = outcomeUnknown
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.recipient = recipient
        self.text = text
        self.createdAt = createdAt
        self.attempts = attempts
    }
}
