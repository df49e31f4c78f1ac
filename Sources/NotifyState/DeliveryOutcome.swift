/// What one attempt at a delivery came to, as recorded.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Accepted by SMSPartner.
    case sent(providerMessageID: String, nbSMS: Int, cost: Double?, currency: String?)
    /// Refused for good: never retried.
    case failed(errorClass: String, error: String)
    /// Not sent yet: tried again at `retryAt` (unless it expires first).
    case retry(errorClass: String, error: String, retryAt: Timestamp)
    /// Found older than `max_age` before it was sent: never sent late.
    case expired
    /// The request was sent but no answer came: SMSPartner is asked by tag at `checkAt`
    /// before anything is sent again.
    case unknown(error: String, checkAt: Timestamp)
    /// SMSPartner said (by tag) that it took a request whose answer never came: sent, with
    /// no `message_id`.
    case confirmed

    /// Whether SMSPartner took it (``sent(providerMessageID:nbSMS:cost:currency:)`` or ``confirmed``).
    public var isSent: Bool {
        switch self {
        case .sent, .confirmed: true
        case .failed, .retry, .expired, .unknown: false
        }
    }
}
