/// Where one recipient's copy of a message stands. Every decision the policy takes about a
/// recipient is one delivery row in one of these states.
public enum DeliveryState: String, Sendable, CaseIterable, Codable {
    /// Claimed by a process that is sending it now (until its lease runs out).
    case sending
    /// Waiting for (another) attempt at `nextAttemptAt`.
    case pending
    /// A request for it was sent but no answer came: SMSPartner may have taken it. At
    /// `nextAttemptAt` SMSPartner is asked, by the message's tag, before anything is sent
    /// again: taken, it is `sent`; not taken, it is sent again.
    case unknown
    /// Accepted by SMSPartner.
    case sent
    /// Refused for good by SMSPartner (or unusable configuration): never retried.
    case failed
    /// Not delivered within `max_age`: never sent late.
    case expired
    /// Suppressed: the same alert in the same status was already sent or queued.
    case duplicate
    /// Over a rate limit: waits for the recipient's next digest.
    case held
    /// Was held, then counted into a digest that has been queued.
    case digested

    /// States that use up a rate-limit slot: sent, or on the way.
    public static let countedTowardLimits: [DeliveryState] = [.sending, .pending, .unknown, .sent]

    /// States an identical later alert is a duplicate of (failed and expired ones are not:
    /// the alert never reached the phone).
    public static let coveringDuplicates: [DeliveryState] = [.sending, .pending, .unknown, .sent, .held, .digested]

    /// Whether the delivery still waits to go out.
    public var isQueued: Bool { self == .sending || self == .pending || self == .unknown }

    /// The queued states, as SQL: `'sending','pending','unknown'`.
    public static let queuedSQL = "'sending','pending','unknown'"
}
