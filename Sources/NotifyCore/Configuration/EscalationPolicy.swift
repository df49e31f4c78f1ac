import NotifyState

/// An escalation policy: the steps that page more numbers while an alert stays open and
/// unacknowledged, and how many times the whole list starts again.
///
/// ```yaml
/// default: {steps: [{to: ["+33600000000"]}, {after: 10m, to: ["+33600000001"]}], repeat: 1, repeat_after: 10m}
/// ```
public struct EscalationPolicy: Sendable, Equatable {
    public var name: String
    /// The first at once (`after` zero), then each at its `after`, increasing.
    public var steps: [EscalationStep]
    /// How many more rounds after the first (0: the steps run once).
    public var `repeat`: Int
    /// From the last step of a round to the first step of the next.
    public var repeatAfter: Duration

    public static let maxSteps = 10
    public static let maxRepeat = 10
    public static let knownKeys = ["steps", "repeat", "repeat_after"]

    public init(name: String, steps: [EscalationStep], repeat: Int = 0, repeatAfter: Duration? = nil) {
        self.name = name
        self.steps = steps
        self.repeat = `repeat`
        self.repeatAfter = repeatAfter ?? Self.defaultRepeatAfter(steps)
    }

    /// The default ``repeatAfter``: the last step's `after` (10m for a policy of one step).
    public static func defaultRepeatAfter(_ steps: [EscalationStep]) -> Duration {
        let last = steps.last?.after ?? .zero
        return last > .zero ? last : .seconds(600)
    }

    /// When step `index` of a round started at `roundStart` is due.
    public func time(of index: Int, roundStartedAt roundStart: Timestamp) -> Timestamp {
        roundStart + (steps.indices.contains(index) ? steps[index].after : .zero)
    }
}
