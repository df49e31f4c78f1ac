import NotifyState

/// What one recipient has held for a digest and when it goes out, as `status` shows it:
/// `+33600000001: 3 held, quiet hours until 07:00 (Europe/Paris)`.
public struct HeldSummary: Sendable, Equatable {
    public var recipient: String
    public var count: Int
    /// When the recipient's quiet hours end, if they are in them now.
    public var quietUntil: Timestamp?
    /// `quiet hours until 07:00 (Europe/Paris)`, or when the digest goes otherwise.
    public var when: String

    public init(recipient: String, count: Int, quietUntil: Timestamp?, when: String) {
        self.recipient = recipient
        self.count = count
        self.quietUntil = quietUntil
        self.when = when
    }

    /// The text line.
    public var line: String { "\(recipient): \(count) held, \(when)" }

    /// Every recipient with held alerts, from `reader`, as of `now`.
    public static func read(_ reader: any StateReader, quietHours: QuietHoursSettings, now: Timestamp) throws(StateError) -> [HeldSummary] {
        try reader.recipientsWithHeldEntries().map { (recipient) throws(StateError) in
            let count = try reader.heldEntries(of: recipient).count
            if let schedule = quietHours.schedule(for: recipient), let until = schedule.quietUntil(now) {
                return HeldSummary(recipient: recipient, count: count, quietUntil: until,
                                   when: "quiet hours until \(schedule.describe(until, from: now)); the digest goes out then")
            }
            return HeldSummary(recipient: recipient, count: count, quietUntil: nil,
                               when: "the digest goes out at the next flush the rate limits allow")
        }
    }
}
