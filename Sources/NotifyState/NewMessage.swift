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

    public init(kind: MessageKind, text: String, source: String? = nil, typeLabel: String? = nil, label: String? = nil) {
        self.kind = kind
        self.text = text
        self.source = source
        self.typeLabel = typeLabel
        self.label = label
    }
}
