/// What is known of a sent SMS on one number: SMSPartner took it (`accepted`), then reported
/// it `delivered` or `not_delivered`, or reported nothing final within 48 h (`expired`).
/// The names are written as they are in `status --json`.
public enum ReceiptState: String, Sendable, CaseIterable, Codable {
    case accepted
    case delivered
    case notDelivered = "not_delivered"
    case expired

    /// Whether nothing will change it any more.
    public var isFinal: Bool { self != .accepted }
}
