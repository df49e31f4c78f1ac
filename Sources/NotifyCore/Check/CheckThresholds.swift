/// The limits `check` judges against; every one has a default (``init()``).
///
/// Credits alert when they fall to the limit or below it; everything else when it reaches the
/// limit or goes past it.
public struct CheckThresholds: Sendable, Equatable {
    /// A warning and a critical limit.
    public struct Pair<Value: Sendable & Equatable & Comparable>: Sendable, Equatable {
        public var warning: Value
        public var critical: Value

        public init(warning: Value, critical: Value) {
            self.warning = warning
            self.critical = critical
        }

        /// The state of `value` when reaching a limit (`>=`) is the problem.
        func state(atOrAbove value: Value) -> PluginState {
            value >= critical ? .critical : value >= warning ? .warning : .ok
        }

        /// The state of `value` when falling to a limit (`<=`) is the problem.
        func state(atOrBelow value: Value) -> PluginState {
            value <= critical ? .critical : value <= warning ? .warning : .ok
        }
    }

    /// SMS credits left (`GET /me`, `credits.creditSms`): alert at or below.
    public var credits = Pair(warning: 200, critical: 50)
    /// The age of the oldest message waiting in the outbox.
    public var oldestQueued = Pair(warning: Duration.seconds(600), critical: .seconds(3600))
    /// How many messages wait in the outbox.
    public var queued = Pair(warning: 20, critical: 100)
    /// How long deliveries have waited or failed without a success since (see ``HealthCheck``).
    public var lastSuccess = Pair(warning: Duration.seconds(1800), critical: .seconds(7200))
    /// The percentage of `not_delivered` among the final delivery reports of ``window``.
    public var undelivered = Pair(warning: 10.0, critical: 25.0)
    /// How many SMS sent in ``window`` have no final report when one was expected.
    public var noReport = Pair(warning: 10, critical: 50)
    /// How far back the delivery reports are read.
    public var window = Duration.seconds(86_400)

    public init() {}

    /// Why these limits contradict each other, or nil: a warning must come before the critical
    /// limit (credits: above it; the rest: below it), and the percentages lie in 0...100.
    public var problem: String? {
        if credits.warning < credits.critical { return "--credits-warning must be at least --credits-critical" }
        if credits.critical < 0 { return "--credits-critical must not be negative" }
        if oldestQueued.warning > oldestQueued.critical { return "--outbox-warning must not be longer than --outbox-critical" }
        if queued.warning > queued.critical { return "--queued-warning must not be more than --queued-critical" }
        if queued.warning < 1 { return "--queued-warning must be at least 1" }
        if lastSuccess.warning > lastSuccess.critical { return "--last-success-warning must not be longer than --last-success-critical" }
        if !(0...100).contains(undelivered.warning) || !(0...100).contains(undelivered.critical) {
            return "--undelivered-warning and --undelivered-critical are percentages, from 0 to 100"
        }
        if undelivered.warning > undelivered.critical { return "--undelivered-warning must not be more than --undelivered-critical" }
        if noReport.warning > noReport.critical { return "--no-report-warning must not be more than --no-report-critical" }
        if noReport.warning < 1 { return "--no-report-warning must be at least 1" }
        return nil
    }
}
