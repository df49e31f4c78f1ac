import SMSPartner
import SMSText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one SMS to all its recipients: batches of at most 500 numbers, each retried on
/// transient failures until it succeeds, fails permanently, or the time budget runs out.
/// A batch that succeeded is never sent again.
///
/// A request that was sent but never answered (``FailureClass/unknown``) is not retried
/// blindly: once ``RetryPolicy/lookupDelay`` has passed since it left, SMSPartner is asked by
/// the request's tag whether it took it. The numbers it took are confirmed; the others are
/// sent again. When the budget does not leave time to ask, the batch's outcome stays unknown
/// (``DeliveryReport/Batch/unknown``) and the outbox asks later.
///
/// It also holds what every request shares (sender, tag, sandbox), and says how long a process
/// that delivers claims what it takes (``lease(within:)``).
public struct Delivery: Sendable {
    public var client: SMSPartnerClient
    public var policy: RetryPolicy
    /// The SMS sender name (`sender`); nil = the operator's shortcode.
    public var sender: String?
    /// The configured tag, for requests whose message has none of its own.
    public var tag: String?
    public var sandbox: Bool
    /// Where SMSPartner pushes delivery receipts (`urlDlr`, with its secret token); nil: it
    /// does not, they are polled.
    public var receiptURL: String?
    /// Where SMSPartner posts replies (`urlResponse`, with its secret token); nil: the
    /// account's reply URL, if any.
    public var replyURL: String?

    public init(client: SMSPartnerClient, policy: RetryPolicy = RetryPolicy(), sender: String? = nil, tag: String? = nil,
                sandbox: Bool = false, receiptURL: String? = nil, replyURL: String? = nil) {
        self.client = client
        self.receiptURL = receiptURL
        self.replyURL = replyURL
        self.policy = policy
        self.sender = sender
        self.tag = tag
        self.sandbox = sandbox
    }

    /// How long a process that delivers within `budget` claims what it takes: past the budget,
    /// the last attempt, and `lookup_delay` (at least 15 s). A claim whose lease ran out comes
    /// back unknown and is asked about at once: by then any request of its dead sender has had
    /// `lookup_delay` to show under its tag.
    public func lease(within budget: Duration) -> Duration {
        budget + policy.attemptTimeout + max(policy.lookupDelay, .seconds(15))
    }

    /// The request for `text` to `numbers`, tagged with its message's own `messageTag` (else
    /// the configured tag).
    public func request(_ text: String, to numbers: [PhoneNumber], messageTag: String? = nil) -> SendRequest {
        SendRequest(phoneNumbers: numbers, message: SMSMessage(text), sender: sender, tag: messageTag ?? tag, sandbox: sandbox,
                    urlDlr: receiptURL, urlResponse: replyURL)
    }

    /// Delivers `request`, spending at most `budget` (plus one attempt's connect slack);
    /// `lookup` says how unanswered requests are asked about (by default, by `request.tag`).
    public func deliver(_ request: SendRequest, within budget: Duration, lookup: LookupOptions? = nil) -> DeliveryReport {
        let lookup = lookup ?? LookupOptions(tag: request.tag)
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var batches: [DeliveryReport.Batch] = []
        var stopError: SMSPartnerError?
        for (index, batch) in request.batches().enumerated() {
            if index > 0, stopError == nil, deadline - clock.now < policy.minimumAttempt {
                // Starting a request now would overrun the caller's budget (and might deliver
                // after the caller has reported "not sent").
                stopError = .transport(.timedOut("the time budget ran out before this request was made"))
            }
            if let stopError {
                // The key or the account is unusable, or time is up: no further request is made.
                batches.append(.init(phoneNumbers: batch.phoneNumbers, attempts: 0, outcome: .failure(stopError),
                                     unknown: lookup.askFirst ? .notAsked(after: .zero) : nil))
                continue
            }
            let results = deliverBatch(batch, lookup: lookup, deadline: deadline, clock: clock)
            for result in results {
                if case .failure(let error) = result.outcome, [.configuration, .account].contains(error.failureClass) {
                    stopError = error
                }
            }
            batches += results
        }
        return DeliveryReport(batches: batches)
    }

    /// One batch: asks first when its outcome is unknown, then sends, retries what is transient,
    /// and asks again after a request that went unanswered. One result per outcome (the
    /// numbers SMSPartner is found to have taken are one, the rest another).
    func deliverBatch(_ batch: SendRequest, lookup: LookupOptions, deadline: ContinuousClock.Instant,
                      clock: ContinuousClock) -> [DeliveryReport.Batch] {
        var results: [DeliveryReport.Batch] = []
        var numbers = batch.phoneNumbers
        var requests = 0
        var transientFailures = 0
        var generator = SystemRandomNumberGenerator()
        // Set while a request for `numbers` may have been taken: what said so, and when asking may start.
        var doubt: (error: SMSPartnerError?, lookAt: ContinuousClock.Instant)? = lookup.askFirst ? (nil, clock.now) : nil
        // Why a batch asked about first, before any request of this run, is still unknown.
        let unsent = SMSPartnerError.transport(.noAnswer("an earlier request may have been taken"))
        func finish(_ outcome: Result<SendReceipt, SMSPartnerError>, unknown: DeliveryReport.Unknown? = nil) -> [DeliveryReport.Batch] {
            results + [.init(phoneNumbers: numbers, attempts: requests, outcome: outcome, unknown: unknown)]
        }
        /// Asking did not tell, for good this time: the batch stays unknown (nil when it is
        /// long unanswerable, and is sent again rather than lost).
        func askingFailed(_ error: SMSPartnerError, reason: SMSPartnerError?) -> [DeliveryReport.Batch]? {
            guard !lookup.sendIfAskingFails else { return nil }
            return finish(.failure(reason ?? unsent), unknown: .lookupFailed(error))
        }
        while true {
            if let (reason, lookAt) = doubt {
                guard let tag = lookup.tag else {
                    // Nothing to ask by (a message stored without a tag): a possible duplicate
                    // beats a lost page.
                    doubt = nil
                    continue
                }
                if clock.now < lookAt {
                    guard lookup.wait, lookAt + policy.minimumAttempt <= deadline else {
                        return finish(.failure(reason ?? unsent), unknown: .notAsked(after: lookAt - clock.now))
                    }
                    Self.sleep(lookAt - clock.now)
                }
                guard deadline - clock.now >= policy.minimumAttempt else {
                    return finish(.failure(reason ?? unsent), unknown: .notAsked(after: .zero))
                }
                requests += 1
                switch client.status(ofTag: tag, timeout: min(policy.attemptTimeout, deadline - clock.now)) {
                case .failure(let error) where error.httpStatusCode.map([404, 405, 501].contains) == true:
                    // This API has no tag lookup (not SMSPartner's own, or a proxy in front):
                    // it can never say, and a possible duplicate beats a lost page.
                    doubt = nil
                case .failure(let error):
                    // Asked again after a pause, unless long unanswerable: then sent again at once
                    // (no more asking, which would spend the time the send needs).
                    transientFailures += 1
                    let pause = policy.backoff(afterAttempt: transientFailures, random: Double.random(in: 0...1, using: &generator))
                    if !lookup.sendIfAskingFails, error.failureClass.isRetryable || error.failureClass == .unknown,
                        clock.now + pause + policy.minimumAttempt <= deadline
                    {
                        Self.sleep(pause)
                        continue
                    }
                    if let unknown = askingFailed(error, reason: reason) { return unknown }
                    doubt = nil
                case .success(let status):
                    guard let taken = status.taken(among: numbers) else {
                        // A reply this cannot read as yes or no (numbers it cannot read, more pages).
                        let unclear = SMSPartnerError.unreadableReply(httpStatus: 200, excerpt: "bulk-status-by-tag: cannot tell which numbers it lists")
                        if let unknown = askingFailed(unclear, reason: reason) { return unknown }
                        doubt = nil
                        break
                    }
                    if !taken.isEmpty {
                        let receipt = SendReceipt(messageID: "", nbSMS: 0, cost: nil, currency: nil, phoneNumbers: taken, confirmedByTag: tag)
                        results.append(.init(phoneNumbers: taken, attempts: requests, outcome: .success(receipt)))
                        let done = Set(taken.map(\.e164))
                        numbers.removeAll { done.contains($0.e164) }
                        if numbers.isEmpty { return results }
                    }
                    // Not taken: sending again cannot make a second copy.
                    doubt = nil
                }
            }
            guard requests == 0 || deadline - clock.now >= policy.minimumAttempt else {
                return finish(.failure(.transport(.timedOut("the time budget ran out before the message could be sent again"))))
            }
            requests += 1
            let started = clock.now
            let timeout = min(policy.attemptTimeout, max(deadline - clock.now, policy.minimumAttempt))
            var request = batch
            request.phoneNumbers = numbers
            let outcome = client.send(request, timeout: timeout)
            guard case .failure(let error) = outcome else { return finish(outcome) }
            if error.isRecipientSpecific, numbers.count > 1 {
                // One number is on the STOP list and the whole request was refused: each number
                // on its own, so that the others still get the page.
                var split = results
                var single = LookupOptions(tag: lookup.tag, wait: lookup.wait, sendIfAskingFails: lookup.sendIfAskingFails)
                single.askFirst = false
                for number in numbers {
                    var alone = batch
                    alone.phoneNumbers = [number]
                    split += deliverBatch(alone, lookup: single, deadline: deadline, clock: clock)
                }
                return split
            }
            if error.failureClass == .unknown {
                doubt = (error, started + policy.lookupDelay)
                continue
            }
            guard error.failureClass.isRetryable else { return finish(outcome) }
            transientFailures += 1
            let pause = policy.backoff(afterAttempt: transientFailures, random: Double.random(in: 0...1, using: &generator))
            if clock.now + pause + policy.minimumAttempt > deadline {
                return finish(outcome)
            }
            Self.sleep(pause)
        }
    }

    static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
