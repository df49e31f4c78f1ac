/// One held delivery, as its recipient's digest counts and names it.
public struct HeldEntry: Sendable, Equatable {
    public var deliveryID: Int64
    public var createdAt: Timestamp
    /// `PROBLEM`, `RECOVERY`, `FIRING`…
    public var typeLabel: String?
    /// `web01/HTTP`, `HostDown db1`…
    public var label: String?
    /// `DOWN`, `CRITICAL`, `OK`, `ACK`… (see ``NewMessage/status``).
    public var status: String?
    /// Worst first: 0 a critical problem … 6 a recovery (see ``NewMessage/rank``).
    public var rank: Int?
    /// What it is about (see ``NewDelivery/subject``).
    public var subject: String?
    /// Why it was held (a rate limit, quiet hours…).
    public var reason: DecisionReason?

    /// A critical problem (rank 0): a digest that holds one is urgent too.
    public var isUrgent: Bool { rank == 0 }

    public init(deliveryID: Int64, createdAt: Timestamp, typeLabel: String?, label: String?, status: String? = nil, rank: Int? = nil,
                subject: String? = nil, reason: DecisionReason? = nil) {
        self.reason = reason
        self.subject = subject
        self.deliveryID = deliveryID
        self.createdAt = createdAt
        self.typeLabel = typeLabel
        self.label = label
        self.status = status
        self.rank = rank
    }
}
