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
}
