/// One held delivery, as its recipient's digest counts it.
public struct HeldEntry: Sendable, Equatable {
    public var deliveryID: Int64
    public var createdAt: Timestamp
    /// `PROBLEM`, `RECOVERY`, `FIRING`…
    public var typeLabel: String?
    /// `web01/HTTP`, `HostDown db1`…
    public var label: String?

    public init(deliveryID: Int64, createdAt: Timestamp, typeLabel: String?, label: String?) {
        self.deliveryID = deliveryID
        self.createdAt = createdAt
        self.typeLabel = typeLabel
        self.label = label
    }
}
