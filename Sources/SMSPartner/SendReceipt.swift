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
    /// Set when no answer came but SMSPartner, asked by this tag, said it took the request:
    /// there is then no `message_id`, `nb_sms` or cost.
    public var confirmedByTag: String?

    public init(messageID: String, nbSMS: Int, cost: Double?, currency: String?, phoneNumbers: [PhoneNumber],
                confirmedByTag: String? = nil) {
        self.confirmedByTag = confirmedByTag
        self.messageID = messageID
        self.nbSMS = nbSMS
        self.cost = cost
        self.currency = currency
        self.phoneNumbers = phoneNumbers
    }
}
