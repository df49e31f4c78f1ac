import NotifyState
import SMSText

/// Runs the escalation policies (`escalation:`) of open alerts: pages a policy's next step
/// while the alert stays open and unacknowledged, and stops at an acknowledgement or a
/// recovery, with a short notice.
///
/// - ``start(_:subject:label:source:target:text:in:at:)``, from admission, in the transaction
///   that opens an alert's pages: records the escalation and pages its first step's numbers
///   that the alert did not reach already;
/// - ``run()`` (`serve`'s worker every round, `flush` before it delivers): for each active
///   escalation, in one write transaction that looks again at what it decides on (so that of
///   two processes on one store, one acts): an acknowledged page stops it (`ACKED … by …` to
///   everyone paged); no open page left stops it (`RESOLVED …` to the numbers only the
///   escalation paged); else the next step fires when its time came, or at once when every
///   number of the current step failed to receive the page (receipts `not_delivered` or
///   `expired`, or refused). The step is recorded with its SMS, in one commit: a restart never
///   fires it twice.
///
/// A step's `after` counts from its round's first page; after the last step, a round starts
/// again `repeat_after` later, `repeat` times. With no step left, the escalation is exhausted:
/// it stays open (and shown) until acknowledged or resolved.
///
/// A step's SMS is the alert's text with the reply code of its numbers, queued past rate
/// limits (``Outbox/queue(_:to:in:at:)``); in the first round, a number that has an open page
/// of the alert already is not paged again.
public struct Escalator: Sendable {
    /// The outbox whose store, clock, escalation settings and dedup window it uses.
    public var outbox: Outbox

    /// The most active escalations one run looks at.
    public static let maxActive = 500

    public init(outbox: Outbox) {
        self.outbox = outbox
    }

    var settings: EscalationSettings { outbox.escalation }

    /// What an active escalation needs now.
    enum Action: Equatable {
        case stop(Escalation.StopReason, by: String?)
        case fire(EscalationEvent.Cause)
    }

    /// Stops, fires and exhausts what is due.
    public func run() throws(StateError) -> EscalationReport {
        let time = outbox.now()
        var report = EscalationReport()
        // A read first: the write lock only when there is something to do.
        let needed = try outbox.store.read { (reader) throws(StateError) -> (active: Int, due: Bool) in
            let active = try reader.activeEscalations(limit: Self.maxActive)
            for escalation in active where try action(for: escalation, in: reader, at: time) != nil {
                return (active.count, true)
            }
            return (active.count, false)
        }
        report.active = needed.active
        guard needed.due else { return report }
        report.events = try outbox.store.write { (tx) throws(StateError) -> [EscalationEvent] in
            var events: [EscalationEvent] = []
            // Looked at again under the lock: another process may have acted meanwhile.
            for var escalation in try tx.activeEscalations(limit: Self.maxActive) {
                guard let action = try action(for: escalation, in: tx, at: time) else { continue }
                switch action {
                case .stop(let reason, let author):
                    events.append(try stop(&escalation, reason, by: author, in: tx, at: time))
                case .fire(let cause):
                    guard let policy = settings.policies[escalation.policy] else { continue }
                    events += try fireNext(&escalation, policy, cause: cause, in: tx, at: time)
                }
                try tx.update(escalation, at: time)
            }
            return events
        }
        report.active -= report.events.count { $0.kind == .acked || $0.kind == .resolved }
        return report
    }

    /// What `escalation` needs at `time`, as `reader` sees it; nil: nothing yet.
    func action(for escalation: Escalation, in reader: any StateReader, at time: Timestamp) throws(StateError) -> Action? {
        let pages = try reader.openPages(about: escalation.subject)
        if let acked = pages.first(where: { $0.ackedAt != nil }) { return .stop(.acked, by: acked.ackedBy) }
        if pages.isEmpty { return .stop(.resolved, by: nil) }
        guard escalation.exhaustedAt == nil, let policy = settings.policies[escalation.policy] else { return nil }
        if let next = escalation.nextAt, next <= time { return .fire(.due) }
        guard policy.steps.indices.contains(escalation.step) else { return nil }
        let numbers = Set(policy.steps[escalation.step].to.map(\.e164))
        let latest = try reader.latestDeliveries(to: Array(numbers), about: [escalation.subject, Self.stepSubject(escalation.subject)],
                                                 since: escalation.startedAt)
        if latest.count == numbers.count, latest.allSatisfy(Self.missed) { return .fire(.undelivered) }
        return nil
    }

    /// Whether a delivery did not reach its phone, for good: refused, expired in the outbox,
    /// or reported `not_delivered` or `expired` by SMSPartner.
    static func missed(_ delivery: DeliveryRecord) -> Bool {
        delivery.state == .failed || delivery.state == .expired || delivery.receipt == .notDelivered || delivery.receipt == .expired
    }

    /// What the deliveries of steps are filed under: not the alert's subject, whose history
    /// the policy reads (deduplication, urgency).
    static func stepSubject(_ subject: String) -> String {
        "escalation:" + subject
    }
}
