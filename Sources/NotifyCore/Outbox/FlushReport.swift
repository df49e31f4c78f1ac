/// What one ``Outbox/flush(limit:sender:within:lease:)`` did.
public struct FlushReport: Sendable, Equatable {
    /// Every delivery attempted, in order.
    public var results: [DeliveryResult]
    /// Queued deliveries that outlived `max_age` and were expired, never sent.
    public var expired: Int
    /// Deliveries whose sender had stopped (killed, hung) and that went back to the queue.
    public var released: Int
    /// Digests that became due and were queued.
    public var digests: Int
    /// Deliveries still queued afterwards (retrying later, or beyond this run's limit).
    public var remaining: Int

    public init(results: [DeliveryResult] = [], expired: Int = 0, released: Int = 0, digests: Int = 0, remaining: Int = 0) {
        self.results = results
        self.expired = expired
        self.released = released
        self.digests = digests
        self.remaining = remaining
    }
}
