/// How one run of a command wrapped by `run` ended, and what it said.
public struct RunResult: Sendable, Equatable {
    /// How the command's process ended.
    public enum Termination: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal killed it (not ours).
        case signaled(Int32)
        /// It ran past `--timeout` seconds: its process group was killed.
        case timedOut(seconds: Int)
        /// Its status could not be had (its parent's SIGCHLD was ignored, and the system
        /// reaped it): a failure, never taken for a success.
        case lost
    }

    public var termination: Termination
    /// The last meaningful line of its output (``OutputLines``), if any.
    public var output: String?

    public init(termination: Termination, output: String?) {
        self.termination = termination
        self.output = output
    }

    /// The exit status `run` ends with, as a shell reports it: the command's own, 128 + the
    /// signal that killed it, 124 when it timed out (as `timeout(1)` does).
    public var exitStatus: Int32 {
        switch termination {
        case .exited(let status): status
        case .signaled(let signal): 128 + signal
        case .timedOut: 124
        case .lost: 1
        }
    }

    /// Whether it succeeded: it exited with 0.
    public var succeeded: Bool { termination == .exited(0) }

    /// What ended it, in a few words: `exit 2`, `killed by signal 9`, `timed out after 5 s`.
    public var ending: String {
        switch termination {
        case .exited(let status): "exit \(status)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut(let seconds): "timed out after \(seconds) s"
        case .lost: "exit status lost"
        }
    }

    /// Its Monitoring Plugin state (`--nagios`): 0 OK, 1 WARNING, 2 CRITICAL, anything else
    /// UNKNOWN; a timeout is CRITICAL (Nagios' own default), a signal UNKNOWN.
    public var pluginState: PluginState {
        switch termination {
        case .exited(0): .ok
        case .exited(1): .warning
        case .exited(2): .critical
        case .exited: .unknown
        case .signaled, .lost: .unknown
        case .timedOut: .critical
        }
    }
}
