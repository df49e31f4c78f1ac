/// What `status` shows: the outbox now, and what happened over recent windows.
public struct StatusSnapshot: Sendable, Equatable {
    /// Counts over one window (the last hour, the last day).
    public struct Window: Sendable, Equatable {
        public var length: Duration
        /// Deliveries SMSPartner accepted.
        public var sent: Int
        /// SMS billed for them (`nb_sms`).
        public var segments: Int
        public var cost: Double
        /// Suppressed deliveries by reason (duplicates, held over a limit…).
        public var suppressed: [DecisionReason: Int]
        /// Deliveries refused for good, by failure class.
        public var failed: [String: Int]
        /// Deliveries that outlived `max_age` unsent.
        public var expired: Int
        /// Digests queued.
        public var digests: Int
        /// The receipts of the deliveries sent in the window (``ReceiptSummary/stale``: still
        /// `accepted` an hour after sending).
        public var receipts = ReceiptSummary()

        public init(length: Duration, sent: Int = 0, segments: Int = 0, cost: Double = 0, suppressed: [DecisionReason: Int] = [:],
                    failed: [String: Int] = [:], expired: Int = 0, digests: Int = 0) {
            self.length = length
            self.sent = sent
            self.segments = segments
            self.cost = cost
            self.suppressed = suppressed
            self.failed = failed
            self.expired = expired
            self.digests = digests
        }
    }

    public var now: Timestamp
    /// Deliveries waiting to go out (pending, being sent, or with an unknown outcome).
    public var queued: Int
    /// Of those, being sent right now.
    public var sending: Int
    /// Of those, sent without an answer: SMSPartner is asked by tag before any resend.
    public var unknown: Int
    /// Deliveries held for a digest.
    public var held: Int
    /// When the oldest queued delivery was decided.
    public var oldestQueued: Timestamp?
    /// When SMSPartner last accepted a delivery.
    public var lastSent: Timestamp?
    /// The last hour and the last day.
    public var windows: [Window]
    /// The most recent decisions, newest first.
    public var latest: [DeliveryRecord]
    /// The last heartbeat of each Alertmanager cluster (the dead man's switch), by cluster.
    public var heartbeats: [Heartbeat] = []
    /// The pages not resolved (two-way paging), newest first, at most ``maxPages``.
    public var pages: [Page] = []
    public static let maxPages = 50
    /// The escalations not stopped, oldest first, at most ``maxPages``.
    public var escalations: [Escalation] = []

    public init(now: Timestamp, queued: Int = 0, sending: Int = 0, unknown: Int = 0, held: Int = 0, oldestQueued: Timestamp? = nil,
                lastSent: Timestamp? = nil, windows: [Window] = [], latest: [DeliveryRecord] = []) {
        self.now = now
        self.queued = queued
        self.sending = sending
        self.unknown = unknown
        self.held = held
        self.oldestQueued = oldestQueued
        self.lastSent = lastSent
        self.windows = windows
        self.latest = latest
    }
}
