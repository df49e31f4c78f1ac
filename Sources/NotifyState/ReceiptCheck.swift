/// A sent delivery whose receipt is being tracked: what a poller asks SMSPartner about, and
/// what a pushed receipt is matched against.
public struct ReceiptCheck: Sendable, Equatable, Identifiable {
    /// The delivery's id.
    public var id: Int64
    public var recipient: String
    /// SMSPartner's `message_id`; nil for a delivery confirmed by its tag (asked about by tag).
    public var providerMessageID: String?
    /// The message's SMSPartner tag.
    public var tag: String?
    public var sentAt: Timestamp
    /// Polls so far that found no final report.
    public var polls: Int
    public var state: ReceiptState
    /// What the SMS said (its first 80 characters), for a log line.
    public var about: String?

    public init(id: Int64, recipient: String, providerMessageID: String?, tag: String?, sentAt: Timestamp, polls: Int,
                state: ReceiptState, about: String? = nil) {
        self.id = id
        self.recipient = recipient
        self.providerMessageID = providerMessageID
        self.tag = tag
        self.sentAt = sentAt
        self.polls = polls
        self.state = state
        self.about = about
    }
}
