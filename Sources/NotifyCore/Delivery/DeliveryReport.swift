import SMSPartner
import SMSText

/// What happened to each request of one delivery.
public struct DeliveryReport: Sendable, Equatable {
    /// One `POST /send` (≤ 500 numbers) and its outcome.
    public struct Batch: Sendable, Equatable {
        public var phoneNumbers: [PhoneNumber]
        /// HTTP requests made for it (0 when skipped after a configuration or account failure).
        public var attempts: Int
        public var outcome: Result<SendReceipt, SMSPartnerError>

        public init(phoneNumbers: [PhoneNumber], attempts: Int, outcome: Result<SendReceipt, SMSPartnerError>) {
            self.phoneNumbers = phoneNumbers
            self.attempts = attempts
            self.outcome = outcome
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

    /// The most serious failure: configuration, then account, then rejected, then transient.
    public var worstFailure: SMSPartnerError? {
        SMSPartnerError.worst(of: failures.map(\.error))
    }

    public var totalAttempts: Int { batches.reduce(0) { $0 + $1.attempts } }
}

extension SMSPartnerError {
    /// The most serious of `errors`: configuration, then account, then rejected, then transient.
    public static func worst(of errors: [SMSPartnerError]) -> SMSPartnerError? {
        let order: [FailureClass] = [.configuration, .account, .rejected, .transient]
        return errors.min { a, b in
            (order.firstIndex(of: a.failureClass) ?? 0) < (order.firstIndex(of: b.failureClass) ?? 0)
        }
    }
}
