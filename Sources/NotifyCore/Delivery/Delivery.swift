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
public struct Delivery: Sendable {
    public var client: SMSPartnerClient
    public var policy: RetryPolicy

    public init(client: SMSPartnerClient, policy: RetryPolicy = RetryPolicy()) {
        self.client = client
        self.policy = policy
    }

    /// Delivers `request`, spending at most `budget` (plus one attempt's connect slack).
    public func deliver(_ request: SendRequest, within budget: Duration) -> DeliveryReport {
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
                batches.append(.init(phoneNumbers: batch.phoneNumbers, attempts: 0, outcome: .failure(stopError)))
                continue
            }
            let result = deliverBatch(batch, deadline: deadline, clock: clock)
            if case .failure(let error) = result.outcome, [.configuration, .account].contains(error.failureClass) {
                stopError = error
            }
            batches.append(result)
        }
        return DeliveryReport(batches: batches)
    }

    func deliverBatch(_ batch: SendRequest, deadline: ContinuousClock.Instant, clock: ContinuousClock) -> DeliveryReport.Batch {
        var attempt = 0
        var generator = SystemRandomNumberGenerator()
        while true {
            attempt += 1
            let left = deadline - clock.now
            let timeout = min(policy.attemptTimeout, max(left, policy.minimumAttempt))
            let outcome = client.send(batch, timeout: timeout)
            guard case .failure(let error) = outcome, error.failureClass.isRetryable else {
                return .init(phoneNumbers: batch.phoneNumbers, attempts: attempt, outcome: outcome)
            }
            let pause = policy.backoff(afterAttempt: attempt, random: Double.random(in: 0...1, using: &generator))
            if clock.now + pause + policy.minimumAttempt > deadline {
                return .init(phoneNumbers: batch.phoneNumbers, attempts: attempt, outcome: outcome)
            }
            Self.sleep(pause)
        }
    }

    static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
