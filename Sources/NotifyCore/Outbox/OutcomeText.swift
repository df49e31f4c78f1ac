import NotifyState
import SMSPartner
import SMSText

/// How decisions, their reasons and delivery outcomes are worded, in one place for every
/// command and for `serve`: `send` and `flush` print these lines, `send --dry-run` its preview,
/// `serve` logs its worker's outcomes with them and gives a decision's detail in its replies.
public enum OutcomeText {
    /// The line `send` prints for a recipient it does not text now (nil for one it texts):
    /// `suppressed: +336…: duplicate of #12, sent at …`, `held: +336…: over the daily cap (…)`.
    public static func line(_ decision: Admission.Decision, to recipient: PhoneNumber) -> String? {
        switch decision {
        case .send: nil
        case .duplicate(let earlier): "suppressed: \(recipient.e164): \(duplicate(of: earlier))"
        case .held(.quietHours, let detail): "held: \(recipient.e164): \(held(.quietHours, detail)); it goes out then, in one digest"
        case .held(let reason, let detail): "held: \(recipient.e164): \(held(reason, detail)); it goes into the next digest"
        case .stale: "suppressed: \(recipient.e164): stale, \(stale)"
        case .ackedByReply: "suppressed: \(recipient.e164): \(ackedByReply)"
        }
    }

    /// What the policy would decide, as `send --dry-run` previews it: `+336…: send`,
    /// `+336…: suppressed, duplicate of #12, sent at …`.
    public static func preview(_ decision: PolicyDecision, to recipient: PhoneNumber) -> String {
        switch decision {
        case .send: "\(recipient.e164): send"
        case .duplicate(let earlier): "\(recipient.e164): suppressed, \(duplicate(of: earlier))"
        case .hold(let reason, let detail): "\(recipient.e164): held, \(held(reason, detail))"
        case .stale(let detail): "\(recipient.e164): suppressed, \(detail)"
        }
    }

    /// A decision's detail as `serve`'s reply gives it (its `decision` field says which).
    public static func detail(_ decision: Admission.Decision) -> String? {
        switch decision {
        case .send: nil
        case .duplicate(let earlier): duplicate(of: earlier)
        case .held(let reason, let detail): held(reason, detail)
        case .stale: stale
        case .ackedByReply: ackedByReply
        }
    }

    /// `duplicate of #12, sent at …`.
    public static func duplicate(of earlier: DeliveryRecord) -> String {
        "duplicate of #\(earlier.id), \(standing(earlier))"
    }

    /// `over the daily cap (…)`; for quiet hours the detail alone says it:
    /// `quiet hours until 07:00 (Europe/Paris)`.
    static func held(_ reason: DecisionReason, _ detail: String) -> String {
        reason == .quietHours ? detail : "\(self.reason(reason)) (\(detail))"
    }

    static let stale = "every alert it reports firing was resolved already"
    static let ackedByReply = "they acknowledged it by SMS reply"

    /// Where an earlier delivery stands: `sent at …`, `queued at …`, `held at … for the digest`.
    public static func standing(_ earlier: DeliveryRecord) -> String {
        switch earlier.state {
        case .sent: "sent at \((earlier.sentAt ?? earlier.createdAt).localDateTime)"
        case .sending, .pending: "queued at \(earlier.createdAt.localDateTime)"
        case .unknown: "sent at \(earlier.createdAt.localDateTime) without an answer, being checked with SMSPartner"
        case .held, .digested: "held at \(earlier.createdAt.localDateTime) for the digest"
        case .failed, .expired, .duplicate: "\(earlier.state.rawValue) at \(earlier.createdAt.localDateTime)"
        }
    }

    /// Why an alert was not sent now.
    public static func reason(_ reason: DecisionReason) -> String {
        switch reason {
        case .duplicate: "duplicate"
        case .recipientLimit: "over the recipient's rate limit"
        case .hourlyCap: "over the hourly cap"
        case .dailyCap: "over the daily cap"
        case .followsHeld: "follows an alert that is held"
        case .stale: "stale (its alerts were resolved already)"
        case .ackedByReply: "acknowledged by this recipient's SMS reply"
        case .quietHours: "quiet hours"
        }
    }

    /// One line per request sent (`sent: …`), and per text and outcome for what was queued
    /// again (`queued: …`), refused (`failed: …`), left unknown or expired: `+336…` for one
    /// recipient, `N recipients` for more. Digests are named.
    public static func lines(for results: [DeliveryResult], digests: [Int64: Int], maxAge: Duration) -> [String] {
        var lines: [String] = []
        var receipts: [SendReceipt] = []
        var done = Set<Int64>()
        for result in results where !done.contains(result.claim.deliveryID) {
            let digest = digests[result.claim.deliveryID].map { " (digest of \($0) held alert\($0 == 1 ? "" : "s"))" } ?? ""
            if result.outcome.isSent {
                done.insert(result.claim.deliveryID)
                guard let receipt = result.receipt, !receipts.contains(receipt) else { continue }
                receipts.append(receipt)
                lines.append(sent(receipt) + digest)
                continue
            }
            let same = results.filter { $0.claim.messageID == result.claim.messageID && $0.outcome == result.outcome }
            done.formUnion(same.map(\.claim.deliveryID))
            let who = same.count == 1 ? result.claim.recipient : "\(same.count) recipients"
            switch result.outcome {
            case .sent, .confirmed:
                break
            case .unknown(let error, _):
                lines.append("unknown: \(who)\(digest): \(error)")
            case .retry(_, let error, let retryAt):
                let until = result.claim.createdAt + maxAge
                lines.append("queued: \(who)\(digest): \(error); retried from \(retryAt.localTimeOfDay) until \(until.localTimeOfDay)")
            case .failed(_, let error):
                lines.append("failed: \(who)\(digest): \(error)")
            case .expired:
                lines.append("expired: \(who)\(digest): older than max_age, not sent")
            }
        }
        return lines
    }

    /// `sent: +336… (message_id 12, nb_sms 1, cost 0.045 EUR)`, or how a lookup found it.
    public static func sent(_ receipt: SendReceipt) -> String {
        let count = receipt.phoneNumbers.count
        let to = count == 1 ? receipt.phoneNumbers[0].e164 : "\(count) recipients"
        if let tag = receipt.confirmedByTag {
            return "sent: \(to) (no answer came, but SMSPartner has it under tag \(tag); not sent again)"
        }
        var line = "sent: \(to) (message_id \(receipt.messageID), nb_sms \(receipt.nbSMS)"
        if let cost = receipt.cost { line += ", cost \(cost)\(receipt.currency.map { " " + $0 } ?? "")" }
        return line + ")"
    }
}
