/// What a stored message is.
public enum MessageKind: String, Sendable, Codable {
    /// A rendered alert notification.
    case alert
    /// A digest summarising a recipient's held alerts.
    case digest
}
