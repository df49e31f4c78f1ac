import AlertModel
import NotifyState
import SMSPartner
import SMSText

/// Delivering claimed SMS and recording each outcome (sent, refused for good, queued again,
/// unknown).
extension Outbox {
    /// Sends `claims` (grouped into one request per text), within `budget`, and records each
    /// outcome. A claim older than `max_age` is expired instead of sent. Claims whose outcome
    /// is unknown are asked about (by tag) before they are sent again.
    ///
    /// `waitForLookup`: when a request goes unanswered, wait within the budget until SMSPartner
    /// can be asked about it (a one-shot `send`, which would rather exit knowing); false
    /// records it as unknown at once, for a later flush to ask.
    ///
    /// A message after the first is not started with less than an attempt's minimum left (it
    /// stays queued, due now; what may have been sent stays unknown), unless `attemptEach`
    /// (a `send`'s own alert: it gets its attempt whatever went before it).
    public func deliver(_ claims: [ClaimedDelivery], with sender: Delivery, within budget: Duration,
                        waitForLookup: Bool = true, attemptEach: Bool = false) throws(StateError) -> [DeliveryResult] {
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var results: [DeliveryResult] = []
        var groups: [(messageID: Int64, claims: [ClaimedDelivery])] = []
        for claim in claims {
            if let index = groups.firstIndex(where: { $0.messageID == claim.messageID }) {
                groups[index].claims.append(claim)
            } else {
                groups.append((claim.messageID, [claim]))
            }
        }
        for (index, group) in groups.enumerated() {
            let time = now()
            var outcomes: [DeliveryResult] = []
            if index > 0, !attemptEach, deadline - clock.now < sender.policy.minimumAttempt {
                let late = SMSPartnerError.transport(.timedOut("the time budget ran out before this request was made"))
                for claim in group.claims {
                    let batch = DeliveryReport.Batch(phoneNumbers: [], attempts: 0, outcome: .failure(late),
                                                     unknown: claim.outcomeUnknown ? .notAsked(after: .zero) : nil)
                    outcomes.append(Self.result(of: batch, for: claim, at: time, retryDelay: policy.settings.retryDelay))
                }
                try record(outcomes)
                results += outcomes
                continue
            }
            var sendable: [(claim: ClaimedDelivery, number: PhoneNumber)] = []
            for claim in group.claims {
                if time - claim.createdAt > policy.settings.maxAge {
                    outcomes.append(DeliveryResult(claim: claim, outcome: .expired))
                } else if let number = try? PhoneNumber(parsing: claim.recipient) {
                    sendable.append((claim, number))
                } else {
                    outcomes.append(DeliveryResult(claim: claim, outcome: .failed(errorClass: FailureClass.rejected.rawValue, error: "stored number \(claim.recipient) is not valid")))
                }
            }
            // Those that may have reached SMSPartner already are asked about first, in a request
            // of their own; the others are simply sent.
            for inDoubt in [true, false] {
                let members = sendable.filter { $0.claim.outcomeUnknown == inDoubt }
                guard let first = members.first?.claim else { continue }
                let left = deadline - clock.now
                let request = sender.request(stamped(first.text, decidedAt: first.createdAt, sentAt: time),
                                             to: members.map(\.number), messageTag: first.tag)
                // Unanswerable for half its life: sent again rather than lost at max_age.
                let oldest = members.map(\.claim.createdAt).min() ?? time
                let lookup = LookupOptions(tag: first.tag, askFirst: inDoubt, wait: waitForLookup,
                                           sendIfAskingFails: time - oldest >= policy.settings.maxAge / 2)
                let report = sender.deliver(request, within: max(left, .zero), lookup: lookup)
                let after = now()
                for batch in report.batches {
                    let numbers = Set(batch.phoneNumbers.map(\.e164))
                    for (claim, number) in members where numbers.contains(number.e164) {
                        outcomes.append(Self.result(of: batch, for: claim, at: after, retryDelay: policy.settings.retryDelay))
                    }
                }
            }
            try record(outcomes)
            results += outcomes
        }
        return results
    }

    /// How late an SMS may leave before its text says when it happened.
    public static let lateAfter = Duration.seconds(60)

    /// `text`, or, when it leaves more than ``lateAfter`` after it was decided (it waited in the
    /// outbox), `[14:02] text`: the time it happened, cut to the SMS budget.
    func stamped(_ text: String, decidedAt decided: Timestamp, sentAt time: Timestamp) -> String {
        guard time - decided > Self.lateAfter else { return text }
        let prefix = "[\(decided.localTimeOfDay)] "
        return digests.renderer.budget.truncate(SMSMessage(prefix + text)).0.text
    }

    /// What `batch` came to for `claim`, to be recorded at `time`.
    static func result(of batch: DeliveryReport.Batch, for claim: ClaimedDelivery, at time: Timestamp, retryDelay: Duration) -> DeliveryResult {
        let retryAt = time + Self.retryDelay(afterAttempt: claim.attempts + 1, first: retryDelay)
        switch batch.outcome {
        case .success(let receipt) where receipt.confirmedByTag != nil:
            return DeliveryResult(claim: claim, outcome: .confirmed, receipt: receipt, attempts: batch.attempts)
        case .success(let receipt):
            return DeliveryResult(
                claim: claim,
                outcome: .sent(providerMessageID: receipt.messageID, nbSMS: receipt.nbSMS, cost: receipt.cost, currency: receipt.currency),
                receipt: receipt, attempts: batch.attempts)
        case .failure(let error):
            let outcome: DeliveryOutcome
            switch batch.unknown ?? (error.failureClass == .unknown ? .notAsked(after: .zero) : nil) {
            case .notAsked(let after)?:
                // Again and again unanswered: asked no more often than a retry would be made.
                let checkAt = claim.attempts == 0 ? time + after : max(time + after, retryAt)
                outcome = .unknown(error: "\(error); SMSPartner is asked (tag \(claim.tag ?? "none")) from \(checkAt.localTimeOfDay) before any resend",
                                   checkAt: checkAt)
            case .lookupFailed(let lookupError)?:
                outcome = .unknown(error: "\(error); asking SMSPartner (tag \(claim.tag ?? "none")) failed: \(lookupError); asked again from \(retryAt.localTimeOfDay)",
                                   checkAt: retryAt)
            case nil:
                let failureClass = error.failureClass
                outcome = failureClass.isRetryable
                    ? .retry(errorClass: failureClass.rawValue, error: error.description, retryAt: retryAt)
                    : .failed(errorClass: failureClass.rawValue, error: error.description)
            }
            return DeliveryResult(claim: claim, outcome: outcome, error: error, attempts: batch.attempts)
        }
    }

    /// How long outcomes are kept trying to be recorded while the store is unavailable (a
    /// database server restarting): what SMSPartner answered is a fact worth a few seconds.
    /// Given up after that, the claims wait out their lease, and SMSPartner is asked about
    /// them by tag before anything is sent again.
    static let recordPersistence = Duration.seconds(8)

    /// Commits outcomes, one write for all, tried again every 250 ms for up to
    /// ``recordPersistence`` while the store is unavailable (each write only changes a claim
    /// this process still holds, or records a sent SMS: doing it twice changes nothing).
    func record(_ results: [DeliveryResult]) throws(StateError) {
        guard !results.isEmpty else { return }
        let clock = ContinuousClock()
        let giveUp = clock.now + Self.recordPersistence
        while true {
            do {
                return try recordOnce(results)
            } catch .unavailable(let path, let reason) {
                guard clock.now < giveUp else { throw .unavailable(path: path, reason: reason) }
                Delivery.sleep(.milliseconds(250))
            }
        }
    }

    /// Commits outcomes, one write for all; the same outcome of one request shares its
    /// nb_sms and cost between the request's recipients.
    func recordOnce(_ results: [DeliveryResult]) throws(StateError) {
        let time = now()
        try store.write { (tx) throws(StateError) in
            var done = Set<Int64>()
            for result in results where !done.contains(result.claim.deliveryID) {
                let same = results.filter { $0.outcome == result.outcome && $0.receipt == result.receipt }
                let ids = same.map(\.claim.deliveryID)
                try tx.record(result.outcome, for: ids, owner: owner, at: time)
                if result.outcome.isSent, receipts.isTracking {
                    try tx.trackReceipts(for: ids, dueAt: receipts.nextPoll(sentAt: time, polls: 0), at: time)
                }
                done.formUnion(ids)
            }
        }
    }

    /// When a queued delivery is tried again after its `attempt`-th failure: `first` (the
    /// configuration's `retry_delay`, 30 s by default) doubling to 20 times that (10 min), with
    /// up to 20% of jitter so a backlog does not retry in lockstep.
    public static func retryDelay(afterAttempt attempt: Int, first: Duration = .seconds(30), random: Double = Double.random(in: 0...1)) -> Duration {
        Backoff(first: first, cap: first * 20, fixed: 1, jitter: 0.2).delay(afterAttempt: attempt, random: random)
    }
}
