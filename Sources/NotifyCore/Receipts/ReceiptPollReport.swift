import SMSPartner

/// What one ``ReceiptPoller/poll(within:limit:)`` did.
public struct ReceiptPollReport: Sendable, Equatable {
    /// Deliveries looked at.
    public var checked = 0
    /// Status requests made to SMSPartner.
    public var requests = 0
    /// Deliveries whose receipt became final.
    public var finals: [ReceiptFinal] = []
    /// Why asking failed, when it did (the deliveries concerned are looked at again later).
    public var failure: SMSPartnerError?

    public init() {}
}
