/// What one look at a tracked delivery found, to be recorded.
public struct ReceiptUpdate: Sendable, Equatable {
    /// The delivery's id.
    public var id: Int64
    /// The state now: `accepted` while no final report came.
    public var state: ReceiptState
    /// SMSPartner's own words (`Not delivered`, `operator flood protection (4103)`…).
    public var detail: String?
    /// Whether this came from a poll (counted in ``ReceiptCheck/polls``) rather than a push.
    public var polled: Bool
    /// For `accepted`: when to look again.
    public var nextCheckAt: Timestamp?

    public init(id: Int64, state: ReceiptState, detail: String? = nil, polled: Bool, nextCheckAt: Timestamp? = nil) {
        self.id = id
        self.state = state
        self.detail = detail
        self.polled = polled
        self.nextCheckAt = nextCheckAt
    }
}
