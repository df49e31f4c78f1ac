import NotifyState
import SMSPartner

/// What became of one claimed delivery.
public struct DeliveryResult: Sendable, Equatable {
    public var claim: ClaimedDelivery
    /// What was recorded.
    public var outcome: DeliveryOutcome
    /// SMSPartner's receipt for the request that carried it, when sent.
    public var receipt: SendReceipt?
    /// Why it was not sent, when it was not.
    public var error: SMSPartnerError?
    /// Requests made for its batch in this attempt.
    public var attempts: Int

    public init(claim: ClaimedDelivery, outcome: DeliveryOutcome, receipt: SendReceipt? = nil, error: SMSPartnerError? = nil, attempts: Int = 0) {
        self.claim = claim
        self.outcome = outcome
        self.receipt = receipt
        self.error = error
        self.attempts = attempts
    }

    /// Whether it is still queued for another attempt (or a lookup of its unknown outcome).
    public var isQueued: Bool {
        switch outcome {
        case .retry, .unknown: true
        case .sent, .confirmed, .failed, .expired: false
        }
    }
}
