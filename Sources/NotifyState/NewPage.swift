/// An alert sent to one number, to open (or refresh) its page.
public struct NewPage: Sendable, Equatable {
    public var recipient: String
    public var code: String
    public var subject: String
    public var source: String
    public var target: String?
    public var text: String
    /// What the alert is about in a few words (``Page/label``).
    public var label: String?

    public init(recipient: String, code: String, subject: String, source: String, target: String?, text: String, label: String? = nil) {
        self.label = label
        self.recipient = recipient
        self.code = code
        self.subject = subject
        self.source = source
        self.target = target
        self.text = text
    }
}
