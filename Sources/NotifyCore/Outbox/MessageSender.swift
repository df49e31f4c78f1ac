import SMSPartner
import SMSText

/// Sends stored texts: the delivery client (retries within a budget) and the request fields
/// every SMS shares (sender, tag, sandbox).
public struct MessageSender: Sendable {
    public var delivery: Delivery
    public var sender: String?
    public var tag: String?
    public var sandbox: Bool

    public init(delivery: Delivery, sender: String? = nil, tag: String? = nil, sandbox: Bool = false) {
        self.delivery = delivery
        self.sender = sender
        self.tag = tag
        self.sandbox = sandbox
    }

    /// How long a process that delivers within `budget` claims what it takes: past the budget,
    /// the last attempt, and `lookup_delay` (at least 15 s). A claim whose lease ran out comes
    /// back unknown and is asked about at once: by then any request of its dead sender has had
    /// `lookup_delay` to show under its tag.
    public func lease(within budget: Duration) -> Duration {
        budget + delivery.policy.attemptTimeout + max(delivery.policy.lookupDelay, .seconds(15))
    }

    /// The request for `text` to `numbers`, tagged with its message's own `messageTag` (else
    /// the configured tag).
    public func request(_ text: String, to numbers: [PhoneNumber], messageTag: String? = nil) -> SendRequest {
        SendRequest(phoneNumbers: numbers, message: SMSMessage(text), sender: sender, tag: messageTag ?? tag, sandbox: sandbox)
    }
}
