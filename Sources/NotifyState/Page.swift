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
    /// What the alert is about in a few words (`web01/HTTP`, `HostDown web01`), for the SMS
    /// that answer a reply.
    public var label: String?
    public var openedAt: Timestamp
    public var updatedAt: Timestamp
    public var ackedAt: Timestamp?
    /// Who acknowledged it (a name from `on_call`, else a number), and how (`sms`, `source`).
    public var ackedBy: String?
    public var resolvedAt: Timestamp?
    /// The number whose reply acknowledged it (nil when the source did).
    public var ackedNumber: String?
    /// The Alertmanager silence the acknowledgement made, and when it ends: while it lasts,
    /// the alert's recovery is looked for (a silenced alert's is never sent).
    public var silenceID: String?
    public var silenceUntil: Timestamp?

    public init(id: Int64, recipient: String, code: String, subject: String, source: String, target: String?, text: String,
                label: String? = nil, openedAt: Timestamp, updatedAt: Timestamp, ackedAt: Timestamp? = nil, ackedBy: String? = nil,
                resolvedAt: Timestamp? = nil, ackedNumber: String? = nil, silenceID: String? = nil, silenceUntil: Timestamp? = nil) {
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
        self.label = label
        self.ackedNumber = ackedNumber
        self.silenceID = silenceID
        self.silenceUntil = silenceUntil
    }

    /// What the SMS answering a reply call it: its label, else its subject without the source.
    public var name: String {
        if let label, !label.isEmpty { return label }
        guard let colon = subject.firstIndex(of: ":") else { return subject }
        return String(subject[subject.index(after: colon)...])
    }

    /// Open: neither resolved nor acknowledged.
    public var isOpen: Bool { resolvedAt == nil && ackedAt == nil }
}
