import SMSPartner
import SMSText

/// What happened to each request of one delivery.
public struct DeliveryReport: Sendable, Equatable {
    /// Numbers whose request was sent but never answered, still unconfirmed.
    public enum Unknown: Sendable, Equatable {
        /// SMSPartner can be asked about it this long from now (it may still be taking it).
        case notAsked(after: Duration)
        /// Asking failed with this error: ask again later.
        case lookupFailed(SMSPartnerError)
    }

    /// Numbers of one `POST /send` (≤ 500 numbers) with one outcome.
    public struct Batch: Sendable, Equatable {
        public var phoneNumbers: [PhoneNumber]
        /// HTTP requests made for it, tag lookups included (0 when skipped after a
        /// configuration or account failure).
        public var attempts: Int
        /// A receipt (``SendReceipt/confirmedByTag`` when a lookup found it), or why not sent.
        public var outcome: Result<SendReceipt, SMSPartnerError>
        /// Set when the failure is an unknown outcome: it may have been sent, and must be asked
        /// about before it is sent again.
        public var unknown: Unknown?

        public init(phoneNumbers: [PhoneNumber], attempts: Int, outcome: Result<SendReceipt, SMSPartnerError>, unknown: Unknown? = nil) {
            self.phoneNumbers = phoneNumbers
            self.attempts = attempts
            self.outcome = outcome
            self.unknown = unknown
        }
    }

    public var batches: [Batch]

    public init(batches: [Batch]) {
        self.batches = batches
    }

    public var receipts: [SendReceipt] {
        batches.compactMap { if case .success(let receipt) = $0.outcome { receipt } else { nil } }
    }

    public var failures: [(numbers: [PhoneNumber], error: SMSPartnerError)] {
        batches.compactMap { if case .failure(let error) = $0.outcome { ($0.phoneNumbers, error) } else { nil } }
    }

    /// The most serious failure: configuration, then account, then rejected, then unknown, then transient.
    public var worstFailure: SMSPartnerError? {
        SMSPartnerError.worst(of: failures.map(\.error))
    }

    public var totalAttempts: Int { batches.reduce(0) { $0 + $1.attempts } }
}

extension SMSPartnerError {
    /// The most serious of `errors`: configuration, then account, then rejected, then
    /// unknown, then transient.
    public static func worst(of errors: [SMSPartnerError]) -> SMSPartnerError? {
        let order: [FailureClass] = [.configuration, .account, .rejected, .unknown, .transient]
        return errors.min { a, b in
            (order.firstIndex(of: a.failureClass) ?? 0) < (order.firstIndex(of: b.failureClass) ?? 0)
        }
    }
}
