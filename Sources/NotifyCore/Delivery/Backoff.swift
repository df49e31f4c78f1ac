/// Exponential backoff with jitter, the one formula behind both the in-process retries
/// (``RetryPolicy``) and the outbox's later tries (``Outbox/retryDelay(afterAttempt:first:random:)``):
/// `first`, doubling after each failed attempt up to `cap`, of which `fixed` is always waited
/// and up to `jitter` more at random, so that concurrent senders and a backlog spread out.
public struct Backoff: Sendable, Equatable {
    /// The pause after the first failure, before jitter.
    public var first: Duration
    /// The longest pause, before jitter.
    public var cap: Duration
    /// The share of the pause always waited.
    public var fixed: Double
    /// The share of the pause added at random on top of ``fixed``.
    public var jitter: Double

    public init(first: Duration, cap: Duration, fixed: Double, jitter: Double) {
        self.first = first
        self.cap = cap
        self.fixed = fixed
        self.jitter = jitter
    }

    /// The pause after attempt `attempt` (counted from 1) failed; `random`, clamped to 0...1,
    /// picks the jitter.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 16)
        let base = min(first * (1 << exponent), cap)
        return base * fixed + base * (min(max(random, 0), 1) * jitter)
    }
}
