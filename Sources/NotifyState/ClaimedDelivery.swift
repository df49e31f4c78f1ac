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

    public init(deliveryID: Int64, messageID: Int64, recipient: String, text: String, createdAt: Timestamp, attempts: Int) {
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.recipient = recipient
        self.text = text
        self.createdAt = createdAt
        self.attempts = attempts
    }
}
