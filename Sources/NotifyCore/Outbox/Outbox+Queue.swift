import NotifyState
import SMSText

/// Queueing an SMS the tool writes itself (the dead man's switch, reply confirmations,
/// acknowledgement notices, escalation steps): past the rate limits and caps, which are for
/// alerts, but never twice within `dedup_window` for one recipient, key and status.
extension Outbox {
    /// An SMS of the tool's own, and what deduplicates it.
    public struct DirectMessage: Sendable, Equatable {
        public var kind: MessageKind
        public var text: String
        /// What `status` shows as its source (`deadman`, `two-way`).
        public var source: String
        public var typeLabel: String
        /// What it is about, as status lists it.
        public var label: String
        /// With `status` and `subject`: what makes a second one a duplicate.
        public var dedupKey: String
        public var status: String
        public var subject: String
        /// Why it was queued, shown by `status`.
        public var detail: String

        public init(kind: MessageKind, text: String, source: String, typeLabel: String, label: String, dedupKey: String,
                    status: String, subject: String? = nil, detail: String) {
            self.kind = kind
            self.text = text
            self.source = source
            self.typeLabel = typeLabel
            self.label = label
            self.dedupKey = dedupKey
            self.status = status
            self.subject = subject ?? dedupKey
            self.detail = detail
        }
    }

    /// Queues `message` for each of `numbers` (pending, due now, for whoever flushes), once
    /// per number, unless that number had it within `dedup_window`; the decisions, in order.
    public func queue(_ message: DirectMessage, to numbers: [PhoneNumber], in tx: any StateTransaction, at time: Timestamp)
        throws(StateError) -> [(recipient: PhoneNumber, decision: Admission.Decision)]
    {
        var decisions: [(recipient: PhoneNumber, decision: Admission.Decision)] = []
        var messageID: Int64?
        for number in numbers where !decisions.contains(where: { $0.recipient.e164 == number.e164 }) {
            if let earlier = try tx.duplicateOf(recipient: number.e164, dedupKey: message.dedupKey, status: message.status,
                                                subject: message.subject, since: time - policy.settings.dedupWindow) {
                let duplicate = DuplicateDecision(recipient: number, earlier: earlier, dedupKey: message.dedupKey, status: message.status,
                                                  subject: message.subject, decidedAt: time)
                _ = try tx.insert(duplicate.delivery, at: time)
                decisions.append((number, .duplicate(of: earlier)))
                continue
            }
            let stored: Int64
            if let messageID {
                stored = messageID
            } else {
                stored = try tx.insert(NewMessage(
                    kind: message.kind, text: message.text, source: message.source, typeLabel: message.typeLabel,
                    label: message.label, tag: MessageTag.make(prefix: tagPrefix), status: message.status), at: time)
                messageID = stored
            }
            let id = try tx.insert(NewDelivery(
                messageID: stored, recipient: number.e164, state: .pending, detail: message.detail,
                dedupKey: message.dedupKey, status: message.status, subject: message.subject), at: time)
            decisions.append((number, .send(deliveryID: id)))
        }
        return decisions
    }
}
