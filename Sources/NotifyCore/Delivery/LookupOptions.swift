/// How ``Delivery/deliver(_:within:lookup:)`` treats requests whose outcome is unknown (sent
/// whole, never answered): SMSPartner is asked, by the message's own tag, before anything is
/// sent again.
public struct LookupOptions: Sendable, Equatable {
    /// The message's own tag, that SMSPartner is asked by; nil when it has none (a message
    /// stored before tags), and an unanswered request is then sent again: a possible duplicate
    /// beats a lost page.
    public var tag: String?
    /// A request for these numbers may have reached SMSPartner already: ask before sending.
    public var askFirst: Bool
    /// When a request goes unanswered, wait within the budget until SMSPartner can be asked
    /// (a one-shot `send`, which would rather exit knowing); false leaves it unknown at once,
    /// for a later flush (which has other deliveries to make).
    public var wait: Bool
    /// When asking fails, send again anyway rather than leave it unknown: for a delivery whose
    /// lookups have failed for half its `max_age`, so that it is not lost at `max_age`.
    public var sendIfAskingFails: Bool

    public init(tag: String?, askFirst: Bool = false, wait: Bool = true, sendIfAskingFails: Bool = false) {
        self.tag = tag
        self.askFirst = askFirst
        self.wait = wait
        self.sendIfAskingFails = sendIfAskingFails
    }
}
