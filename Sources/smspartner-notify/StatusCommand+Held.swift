import NotifyCore

/// `status --json`: one recipient's held alerts and when their digest goes out.
struct HeldDocument: Encodable {
    var recipient: String
    var held: Int
    /// When the recipient's quiet hours end (ISO 8601), if they are in them.
    var quiet_until: String?
    var when: String

    init(_ summary: HeldSummary) {
        recipient = summary.recipient
        held = summary.count
        quiet_until = summary.quietUntil?.iso8601
        when = summary.when
    }
}
