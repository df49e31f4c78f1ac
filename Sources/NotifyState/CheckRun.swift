/// Where one check wrapped by `run` stands (`run --name`): its current state, since when,
/// how many failed runs in a row, and whether its PROBLEM was texted.
///
/// One row per check name, shared by every process that runs the check: `run` reads and
/// writes it in the write transaction that admits the SMS, so that of concurrent runs exactly
/// one texts a change.
public struct CheckRun: Sendable, Equatable {
    /// The check's identity: `run --name`, else its command line.
    public var name: String
    /// `ok`, `failing`, or a plugin state (`--nagios`: `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`).
    public var state: String
    /// When the check entered ``state`` (the first failed run of a streak).
    public var since: Timestamp
    /// Failed runs in a row (0 after a success).
    public var failures: Int
    /// The state whose PROBLEM was texted and not yet recovered (`failing`, `CRITICAL`…); nil
    /// when none was: a success then sends no RECOVERY.
    public var alerted: String?
    /// The last meaningful output line of the latest run.
    public var lastOutput: String?
    /// When the latest run ended.
    public var updatedAt: Timestamp

    public init(name: String, state: String, since: Timestamp, failures: Int, alerted: String?, lastOutput: String?,
                updatedAt: Timestamp) {
        self.name = name
        self.state = state
        self.since = since
        self.failures = failures
        self.alerted = alerted
        self.lastOutput = lastOutput
        self.updatedAt = updatedAt
    }
}
