/// A rendered SMS to store before anything is sent.
public struct NewMessage: Sendable, Equatable {
    public var kind: MessageKind
    /// The logical SMS text (real newlines), exactly as it will be sent.
    public var text: String
    /// The input family (`nagios`, `alertmanager`…), for status.
    public var source: String?
    /// The notification type a digest counts it as: `PROBLEM`, `RECOVERY`, `FIRING`…
    public var typeLabel: String?
    /// What it is about, as a digest lists it: `web01/HTTP`, `HostDown db1`.
    public var label: String?
    /// The SMSPartner `tag` every request for it carries, unique to it: SMSPartner is asked by
    /// this tag whether it took a request whose answer never came.
    public var tag: String?
    /// Where a digest lists it, worst first (0 a critical problem … 6 a recovery).
    public var rank: Int?
    /// What a digest says of it after its label: `DOWN`, `CRITICAL`, `OK`, `ACK`…
    public var status: String?

    public init(kind: MessageKind, text: String, source: String? = nil, typeLabel: String? = nil, label: String? = nil,
                tag: String? = nil, rank: Int? = nil, status: String? = nil) {
        self.kind = kind
        self.tag = tag
        self.rank = rank
        self.status = status
        self.text = text
        self.source = source
        self.typeLabel = typeLabel
        self.label = label
    }
}
