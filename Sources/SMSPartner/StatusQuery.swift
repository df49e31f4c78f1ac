import SMSText

/// One message to one number whose delivery is asked about (`GET /message-status`,
/// `POST /multi-status`).
public struct StatusQuery: Sendable, Hashable {
    /// The number the message was sent to.
    public var phoneNumber: PhoneNumber
    /// SMSPartner's id for the message (``SendReceipt/messageID``).
    public var messageID: String

    public init(phoneNumber: PhoneNumber, messageID: String) {
        self.phoneNumber = phoneNumber
        self.messageID = messageID
    }
}
