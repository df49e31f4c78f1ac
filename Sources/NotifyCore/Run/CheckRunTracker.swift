import AlertModel
import NotifyState

/// The rules of `run`: from where a check stood and how this run ended, where it stands now
/// and whether that is news worth an SMS. Pure: `run` applies it inside the write transaction
/// that admits the SMS (``Outbox/admit(lease:deciding:)``).
///
/// - A failed run (non-zero exit, a signal, a timeout) adds to the streak of failed runs; the
///   PROBLEM goes once the streak reaches ``failAfter``, and only once per streak.
/// - With ``nagios``, the exit status is a plugin state (``RunResult/pluginState``): every
///   non-OK state counts toward the streak, and a change of non-OK state once the PROBLEM
///   went (CRITICAL to WARNING) is news too.
/// - A success ends the streak: a RECOVERY goes if, and only if, its PROBLEM went.
public struct CheckRunTracker: Sendable, Equatable {
    /// What is worth an SMS.
    public enum Change: Sendable, Equatable {
        /// The check is failing: newly, or (``nagios``) in another state than the one texted.
        case problem(state: String)
        /// The check succeeds again after its PROBLEM was texted, down for `downFor`.
        case recovery(downFor: Duration, failures: Int)
    }

    /// Where the check stands after the run, and what is worth an SMS (nil: nothing).
    public struct Step: Sendable, Equatable {
        public var check: CheckRun
        public var change: Change?
    }

    /// Failed runs in a row before the PROBLEM goes (`--fail-after`, at least 1).
    public var failAfter: Int
    /// Reads the exit status as a Monitoring Plugin's (`--nagios`).
    public var nagios: Bool

    /// The state of a generic check that succeeds, and of one that fails.
    public static let ok = "ok"
    public static let failing = "failing"

    public init(failAfter: Int = 1, nagios: Bool = false) {
        self.failAfter = max(1, failAfter)
        self.nagios = nagios
    }

    /// The state `result` puts the check in: `ok`/`failing`, or the plugin state.
    public func state(of result: RunResult) -> String {
        if nagios { return result.pluginState.label }
        return result.succeeded ? Self.ok : Self.failing
    }

    /// Whether `state` is a success.
    func isOK(_ state: String) -> Bool {
        state == Self.ok || state == PluginState.ok.label
    }

    /// Where check `name` stands after `result` at `time`, from `previous` (nil: never ran).
    public func step(_ previous: CheckRun?, name: String, result: RunResult, at time: Timestamp) -> Step {
        let state = state(of: result)
        let wasOK = previous.map { isOK($0.state) } ?? true
        if isOK(state) {
            let since = wasOK ? previous?.since ?? time : time
            let check = CheckRun(name: name, state: state, since: since, failures: 0, alerted: nil,
                                 lastOutput: result.output, updatedAt: time)
            guard let previous, previous.alerted != nil else { return Step(check: check, change: nil) }
            return Step(check: check, change: .recovery(downFor: time - previous.since, failures: previous.failures))
        }
        // A failed run: the streak goes on (from its first failed run), or starts.
        let streakSince = wasOK ? time : previous?.since ?? time
        let failures = wasOK ? 1 : (previous?.failures ?? 0) + 1
        var check = CheckRun(name: name, state: state, since: streakSince, failures: failures,
                             alerted: wasOK ? nil : previous?.alerted, lastOutput: result.output, updatedAt: time)
        guard failures >= failAfter, check.alerted != state else { return Step(check: check, change: nil) }
        check.alerted = state
        return Step(check: check, change: .problem(state: state))
    }
}
