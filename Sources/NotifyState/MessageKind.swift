/// What a stored message is.
public enum MessageKind: String, Sendable, Codable {
    /// A rendered alert notification.
    case alert
    /// A digest summarising a recipient's held alerts.
    case digest
    /// The dead man's switch: an Alertmanager cluster fell silent, or was heard again.
    case deadman
    /// Two-way paging: a reply's answer (confirmation, HELP) or an acknowledgement notice.
    case reply
    /// An escalation step: an alert nobody acknowledged, sent to the policy's next numbers.
    case escalation
}
