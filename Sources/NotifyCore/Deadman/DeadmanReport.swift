/// What one look of the dead man's switch did (``DeadmanSwitch/heard(_:)``,
/// ``DeadmanSwitch/judge()``), and where the clusters stand after it.
public struct DeadmanReport: Sendable {
    /// The clusters whose heartbeat was recorded.
    public var recorded: [String] = []
    /// The new clusters left out: ``DeadmanSwitch/maxClusters`` are tracked already.
    public var ignored: [String] = []
    /// The silences and returns texted.
    public var events: [DeadmanEvent] = []
    /// How many clusters are tracked.
    public var clusters = 0
    /// How many of them are silent: texted as such, or not heard for `deadman.timeout` (counted
    /// from this process's start at the earliest).
    public var silent = 0

    public init() {}
}
