/// An alert sent to one number and still open to a reply: what `ACK 4F` acts on.
///
/// One per recipient and subject while the alert is open; its code stays the same across
/// repeated notifications, and is free again a quiet period after the alert resolved.
public struct Page: Sendable, Equatable, Identifiable {
    public var id: Int64
    /// E.164 number.
    public var recipient: String
    /// The reply code the SMS ends with (` ack:4F`).
    public var code: String
    /// What the alert is about (as deliveries record it), across statuses.
    public var subject: String
    /// Where it came from (`nagios`, `icinga`, `alertmanager`, `generic`).
    public var source: String
    /// What acknowledging it acts on, encoded by its writer (opaque here).
    public var target: String?
    /// The SMS text, for the confirmation.
    public var text: String
    public var openedAt: Timestamp
    public var updatedAt: Timestamp
    public var ackedAt: Timestamp?
    /// Who acknowledged it (a name from `on_call`, else a number), and how (`sms`, `source`).
    public var ackedBy: String?
    public var resolvedAt: Timestamp?

    public init(id: Int64, recipient: String, code: String, subject: String, source: String, target: String?, text: String,
                openedAt: Timestamp, updatedAt: Timestamp, ackedAt: Timestamp? = nil, ackedBy: String? = nil, resolvedAt: Timestamp? = nil) {
        self.id = id
        self.recipient = recipient
        self.code = code
        self.subject = subject
        self.source = source
        self.target = target
        self.text = text
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.ackedAt = ackedAt
        self.ackedBy = ackedBy
        self.resolvedAt = resolvedAt
    }

    /// Open: neither resolved nor acknowledged.
    public var isOpen: Bool { resolvedAt == nil && ackedAt == nil }
}
