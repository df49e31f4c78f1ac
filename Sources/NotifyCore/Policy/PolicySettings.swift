/// The limits the policy enforces, from the configuration (every one has a default).
public struct PolicySettings: Sendable, Equatable {
    /// The same alert in the same status within this window is a duplicate.
    public var dedupWindow: Duration
    /// Per recipient: every window must have room (default 5/15m, 11/1h, 21/3h).
    public var rateLimits: [RateLimit]
    /// SMS to anyone within an hour; nil for no cap.
    public var hourlyCap: Int?
    /// SMS to anyone within 24 hours; nil for no cap.
    public var dailyCap: Int?
    /// A queued SMS not delivered within this age expires (never sent late).
    public var maxAge: Duration
    /// The pause before a queued SMS is tried again, doubling with each failure up to 20 times.
    public var retryDelay: Duration

    public static let defaultRateLimits = [
        RateLimit(count: 5, window: .seconds(15 * 60)),
        RateLimit(count: 11, window: .seconds(3600)),
        RateLimit(count: 21, window: .seconds(3 * 3600)),
    ]

    public init(
        dedupWindow: Duration = .seconds(15 * 60),
        rateLimits: [RateLimit] = PolicySettings.defaultRateLimits,
        hourlyCap: Int? = 100,
        dailyCap: Int? = 500,
        maxAge: Duration = .seconds(3600),
        retryDelay: Duration = .seconds(30)
    ) {
        self.dedupWindow = dedupWindow
        self.rateLimits = rateLimits
        self.hourlyCap = hourlyCap
        self.dailyCap = dailyCap
        self.maxAge = maxAge
        self.retryDelay = retryDelay
    }

    /// The longest window any limit looks back over.
    public var longestWindow: Duration {
        rateLimits.map(\.window).max() ?? .zero
    }
}
