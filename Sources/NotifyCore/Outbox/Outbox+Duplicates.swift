import AlertModel
import NotifyState
import SMSText

/// The read-only paths: duplicates found without the write lock (`serve`, recorded later in
/// batches), and what ``Outbox/admit(_:lease:)`` would decide (`send --dry-run`).
extension Outbox {
    /// When every recipient of `candidate` would get a duplicate, those decisions, found by a
    /// read that takes no write lock; nil when any recipient needs ``admit(_:lease:)``.
    ///
    /// `serve` answers a repeated webhook (an Alertmanager retry, the second of an HA pair)
    /// from this and records the decisions later, in batches (``recordDuplicates(_:)``): the
    /// original is committed already, so the reply need not wait for a write. A read sees one
    /// consistent state of the store, so the decision is the one ``admit(_:lease:)`` would have
    /// taken at that moment.
    ///
    /// It needs no rendered text: a repeat is answered before it is rendered.
    public func duplicates(of notification: Notification, to recipients: [PhoneNumber], dedupKey: String?)
        throws(StateError) -> [DuplicateDecision]?
    {
        guard dedupKey != nil else { return nil }
        let time = now()
        var found: [DuplicateDecision] = []
        for (recipient, decision) in try preview(notification, to: recipients, dedupKey: dedupKey) {
            guard case .duplicate(let earlier) = decision else { return nil }
            found.append(DuplicateDecision(
                recipient: recipient, earlier: earlier, dedupKey: dedupKey, status: notification.statusName,
                subject: notification.subject(or: dedupKey), decidedAt: time))
        }
        return found.isEmpty ? nil : found
    }

    /// Records duplicates decided by ``duplicates(of:to:dedupKey:)``, in one write transaction.
    public func recordDuplicates(_ decisions: [DuplicateDecision]) throws(StateError) {
        guard !decisions.isEmpty else { return }
        try store.write { (tx) throws(StateError) in
            for decision in decisions {
                _ = try tx.insert(decision.delivery, at: decision.decidedAt)
            }
        }
    }

    /// What ``admit(_:lease:)`` would decide now for each recipient, read without taking the
    /// write lock and without recording anything (`send --dry-run`).
    public func preview(_ candidate: AlertCandidate) throws(StateError) -> [(recipient: PhoneNumber, decision: PolicyDecision)] {
        try preview(candidate.notification, to: candidate.recipients, dedupKey: candidate.dedupKey)
    }

    /// ``preview(_:)`` of a notification not rendered (the decisions do not depend on the text).
    public func preview(_ notification: Notification, to recipients: [PhoneNumber], dedupKey: String?)
        throws(StateError) -> [(recipient: PhoneNumber, decision: PolicyDecision)]
    {
        let time = now()
        return try store.read { (reader) throws(StateError) in
            let (hour, day) = try globalSendCounts(in: reader, at: time)
            let resolvedFiring = try self.resolvedFiring(notification, in: reader)
            return try recipients.map { (number) throws(StateError) in
                var history = try self.history(of: number.e164, about: (notification, dedupKey), in: reader, at: time,
                                               globalLastHour: hour, globalLastDay: day)
                history.resolvedFiring = resolvedFiring
                return (number, quietDecision(policy.decide(history, now: time), for: notification, history: history, to: number.e164, at: time))
            }
        }
    }
}
