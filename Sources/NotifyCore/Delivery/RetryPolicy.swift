/// How transient failures are retried within a caller's time budget: exponential backoff
/// with jitter, each attempt capped so a hung provider cannot eat the whole budget.
public struct RetryPolicy: Sendable, Equatable {
    /// Pause after the first failure.
    public var initialBackoff: Duration
    /// Longest pause between two attempts.
    public var maxBackoff: Duration
    /// Longest single attempt.
    public var attemptTimeout: Duration
    /// An attempt is not started with less time than this left.
    public var minimumAttempt: Duration
    /// How long after a request that went unanswered SMSPartner is asked (by tag) whether it
    /// took it: time for a slow acceptance to show. A request SMSPartner takes longer than this
    /// to accept can be sent twice.
    public var lookupDelay: Duration

    /// The default ``lookupDelay``.
    public static let defaultLookupDelay = Duration.seconds(20)

    public init(
        initialBackoff: Duration = .milliseconds(250),
        maxBackoff: Duration = .seconds(4),
        attemptTimeout: Duration = .seconds(10),
        minimumAttempt: Duration = .milliseconds(500),
        lookupDelay: Duration = RetryPolicy.defaultLookupDelay
    ) {
        self.lookupDelay = lookupDelay
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.attemptTimeout = attemptTimeout
        self.minimumAttempt = minimumAttempt
    }

    /// The pause before attempt `attempt + 1` (attempt counts from 1): exponential,
    /// capped, with "equal jitter" (half fixed, half random) so concurrent senders spread out.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        Backoff(first: initialBackoff, cap: maxBackoff, fixed: 0.5, jitter: 0.5).delay(afterAttempt: attempt, random: random)
    }
}
