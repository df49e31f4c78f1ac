import NotifyState
import SMSPartner
import SMSText

/// Receipts SMSPartner pushes (`urlDlr`), recorded like the answers of a poll.
extension ReceiptPoller {
    /// What a pushed receipt came to.
    public enum PushOutcome: Sendable, Equatable {
        /// It settled these deliveries.
        case recorded([ReceiptFinal])
        /// It matched tracked deliveries but changed nothing (not final yet, or already final).
        case unchanged
        /// No tracked delivery has this message id and number (pruned, never ours, or forged
        /// by someone who knows the token).
        case unknown
    }

    /// Records `callback` against the tracked deliveries with its message id (and number).
    public func record(_ callback: DeliveryCallback) throws(StateError) -> PushOutcome {
        guard let messageID = callback.messageID, !messageID.isEmpty else { return .unknown }
        let tracked = try store.read { (reader) throws(StateError) in
            try reader.trackedDeliveries(providerMessageID: messageID)
        }
        let matching: [ReceiptCheck]
        if let text = callback.phoneNumber, !text.isEmpty {
            guard let number = TagStatus.number(text) else { return .unknown }
            matching = tracked.filter { (try? PhoneNumber(parsing: $0.recipient))?.e164 == number.e164 }
        } else {
            // No number: it can only name the message's one recipient.
            matching = tracked.count == 1 ? tracked : []
        }
        guard !matching.isEmpty else { return .unknown }
        let updates: [ReceiptUpdate] = matching.compactMap { check in
            switch callback.delivery {
            case .delivered: ReceiptUpdate(id: check.id, state: .delivered, detail: callback.status, polled: false)
            case .notDelivered(let reason): ReceiptUpdate(id: check.id, state: .notDelivered, detail: reason, polled: false)
            case .waiting, .unrecognized: nil
            }
        }
        let finals = try record(updates, pushed: true)
        return finals.isEmpty ? .unchanged : .recorded(finals)
    }
}
