import NotifyState
import SMSText

/// What ``Outbox/admit(_:lease:)`` decided and committed: one decision per recipient, and the
/// deliveries this process now holds and must send (the alert's, and digests that became due).
public struct Admission: Sendable {
    /// One recipient's decision.
    public enum Decision: Sendable, Equatable {
        /// To be sent: its delivery (claimed by this process, or queued for the worker).
        case send(deliveryID: Int64)
        /// Suppressed as a duplicate of this earlier delivery.
        case duplicate(of: DeliveryRecord)
        /// Held for the recipient's next digest.
        case held(DecisionReason, detail: String)
        /// Suppressed as stale: every alert it reports firing was resolved already.
        case stale
        /// Not texted: the source's ACKNOWLEDGEMENT of an alert this recipient acknowledged by
        /// SMS reply (two-way paging).
        case ackedByReply
    }

    public var decisions: [(recipient: PhoneNumber, decision: Decision)]
    /// Deliveries claimed for this process, alert and digests, in the order to send them.
    public var claims: [ClaimedDelivery]
    /// The digests among ``claims``: delivery id → how many held alerts it sums up.
    public var digests: [Int64: Int]
    /// What the recipients of ``claims`` had queued from before (SMSPartner was failing),
    /// claimed too, oldest first: to be sent before ``claims``, so that each recipient gets
    /// the news in the order it happened.
    public var earlier: [ClaimedDelivery] = []
    /// The escalation this problem started (its first step queued), if any.
    public var escalation: EscalationEvent?

    public init(decisions: [(recipient: PhoneNumber, decision: Decision)] = [], claims: [ClaimedDelivery] = [], digests: [Int64: Int] = [:]) {
        self.decisions = decisions
        self.claims = claims
        self.digests = digests
    }
}
