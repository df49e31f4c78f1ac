import AlertModel
import SMSText

/// A rendered notification and who should get it: what ``Outbox/admit(_:lease:)`` decides on.
public struct AlertCandidate: Sendable {
    public var notification: Notification
    public var rendered: RenderedMessage
    public var recipients: [PhoneNumber]
    /// The identity deduplication compares (with the status): `--dedup-key`, else the input's.
    public var dedupKey: String?
    /// The escalation policy named for it (`send --escalation`); nil: its receiver's route, else
    /// `default` (``EscalationSettings/policy(named:receiver:)``).
    public var escalation: String?

    public init(notification: Notification, rendered: RenderedMessage, recipients: [PhoneNumber], dedupKey: String?, escalation: String? = nil) {
        self.escalation = escalation
        self.notification = notification
        self.rendered = rendered
        self.recipients = recipients
        self.dedupKey = dedupKey
    }
}
