import SMSText

/// SMSPartner's acknowledgement of an accepted `POST /send`.
public struct SendReceipt: Sendable, Equatable {
    /// SMSPartner's id for the message (for `GET /message-status`).
    public var messageID: String
    /// SMS billed: segments × recipients.
    public var nbSMS: Int
    /// What the send cost, when the reply says.
    public var cost: Double?
    public var currency: String?
    /// The numbers this request was for.
    public var phoneNumbers: [PhoneNumber]

    public init(messageID: String, nbSMS: Int, cost: Double?, currency: String?, phoneNumbers: [PhoneNumber]) {
        self.messageID = messageID
        self.nbSMS = nbSMS
        self.cost = cost
        self.currency = currency
        self.phoneNumbers = phoneNumbers
    }
}
