import AlertModel
import NotifyState
import SMSPartner
import SMSText

/// The policy and outbox steps on the shared store: every decision and every SMS is
/// committed before a request leaves, and every outcome after.
///
/// - ``admit(_:lease:)`` decides for each recipient (duplicate, held, send), in one write
///   transaction that also queues the recipient's digest when its window has reopened, and
///   claims what this process sends now;
/// - ``deliver(_:with:within:)`` sends claimed deliveries and records each outcome: sent,
///   refused for good, or queued again with backoff for a transient failure;
/// - ``flush(limit:sender:within:lease:)`` expires what outlived `max_age`, takes back what
///   a dead sender left, queues due digests and delivers what is due;
/// - ``duplicates(of:to:dedupKey:)`` and ``preview(_:)`` read without the write lock.
///
/// One file per job: `Outbox+Admit`, `Outbox+Deliver`, `Outbox+Flush`, `Outbox+Duplicates`.
///
/// Every message has an SMSPartner tag of its own (``MessageTag``), sent with each request for
/// it. A request that was sent but never answered (a timeout or a reset after sending), or a
/// claim whose sender died (its lease ran out), is ``DeliveryState/unknown``: SMSPartner is
/// asked by that tag before anything is sent again, and what it took is recorded as sent.
/// The window left for a duplicate: SMSPartner taking a request, or showing it under its tag,
/// later than ``RetryPolicy/lookupDelay`` after it was sent (or than the lease, for a sender
/// that died).
public struct Outbox: Sendable {
    public var store: any StateStore
    public var policy: Policy
    public var digests: DigestComposer
    /// Names this process in the claims it takes (`host:pid`).
    public var owner: String
    /// The configured SMSPartner tag, the prefix of each message's own (``MessageTag``).
    public var tagPrefix: String?
    /// The wall clock (tests replace it).
    public var now: @Sendable () -> Timestamp
    /// How the receipts of what is sent are tracked (``ReceiptSettings/isTracking``: not at all).
    public var receipts: ReceiptSettings
    /// Two-way paging: when enabled, a problem's SMS ends with a reply code and opens a page.
    public var twoWay: TwoWaySettings
    /// Escalation policies of pages (``Escalator``), started at admission.
    public var escalation: EscalationSettings
    /// Recipients' quiet hours: what they do not allow is held until the window ends, then sent
    /// as one digest (``Outbox/quietDecision(_:for:history:to:at:)``). The tool's own SMS
    /// (``queue(_:to:in:at:)``: the dead man's switch, replies, escalations) bypass them.
    public var quietHours: QuietHoursSettings

    /// How many of an old lease's deliveries one flush run takes at most.
    public static let defaultFlushLimit = 500

    public init(store: any StateStore, policy: Policy, digests: DigestComposer, owner: String, tagPrefix: String? = nil,
                receipts: ReceiptSettings = ReceiptSettings(), twoWay: TwoWaySettings = TwoWaySettings(),
                escalation: EscalationSettings = EscalationSettings(), quietHours: QuietHoursSettings = QuietHoursSettings(),
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.store = store
        self.twoWay = twoWay
        self.escalation = escalation
        self.quietHours = quietHours
        self.receipts = receipts
        self.tagPrefix = tagPrefix
        self.policy = policy
        self.digests = digests
        self.owner = owner
        self.now = now
    }
}
