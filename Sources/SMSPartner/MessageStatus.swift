/// What SMSPartner reports of one message to one number.
public struct MessageStatus: Sendable, Equatable {
    /// The number as SMSPartner wrote it (`+336…`, `06…` or `336…`), when it did.
    public var phoneNumber: String?
    /// SMSPartner's id for the message, when the reply names it.
    public var messageID: String?
    /// What became of the SMS.
    public var delivery: ReportedDelivery
    /// When SMSPartner last changed the status, as it writes it (`2015-02-07 22:39:46`).
    public var date: String?
    /// `true`: the number is on the account's STOP list (``delivery`` then says not delivered).
    public var stopSMS: Bool?

    public init(phoneNumber: String?, messageID: String?, delivery: ReportedDelivery, date: String? = nil, stopSMS: Bool? = nil) {
        self.phoneNumber = phoneNumber
        self.messageID = messageID
        self.delivery = delivery
        self.date = date
        self.stopSMS = stopSMS
    }

    /// Whether this is the answer to `query`: the same number, read in any form SMSPartner
    /// writes (`+336…`, `06…`, `00336…`, `336…`), and the same message id (as text, surrounding
    /// whitespace ignored). A status without a number or a message id matches nothing.
    public func matches(_ query: StatusQuery) -> Bool {
        guard let phoneNumber, let messageID, let number = TagStatus.number(phoneNumber) else { return false }
        return number == query.phoneNumber
            && messageID.trimmingASCIIWhitespace() == query.messageID.trimmingASCIIWhitespace()
    }
}
