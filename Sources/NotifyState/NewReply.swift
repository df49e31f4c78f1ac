/// An SMS reply as received, to record before acting on it.
public struct NewReply: Sendable, Equatable {
    /// What tells a repeated callback from a new reply: SMSPartner's id with the sender and
    /// the text (a short number's id is the message replied to, which two replies share).
    public var messageID: String?
    /// E.164 number, or the sender as given when it is not one.
    public var sender: String
    /// The text, bounded by the caller.
    public var text: String
    /// What it read as: `ack`, `close`, `help`, `stop`, `unknown`.
    public var command: String

    public init(messageID: String?, sender: String, text: String, command: String) {
        self.messageID = messageID
        self.sender = sender
        self.text = text
        self.command = command
    }
}
