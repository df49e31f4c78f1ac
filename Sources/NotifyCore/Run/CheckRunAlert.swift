import AlertModel
import NotifyState

/// The alert `run` texts about a check: a generic alert about this host and the check's name,
/// so that its PROBLEM and its RECOVERY share one subject (`generic:web01/disk-check`), and
/// what follows a PROBLEM (pages, escalation, deduplication) resolves on its RECOVERY.
///
/// - PROBLEM: `PROBLEM web01/disk-check CRITICAL: exit 2: disk full` (with `--nagios`, the
///   plugin's state and first line: `PROBLEM web01/check_disk WARNING: DISK WARNING - …`);
/// - RECOVERY: `RECOVERY web01/disk-check OK: down for 12m` (with `--nagios`, then the line).
public enum CheckRunAlert {
    /// The alert for `change` of check `name` on `host`, after `result`; a failed run (without
    /// `--nagios`) is in state `failure` (`--severity`: CRITICAL by default).
    public static func alert(_ change: CheckRunTracker.Change, name: String, host: String, result: RunResult, nagios: Bool,
                             failure: PluginState = .critical) -> Alert {
        var alert = Alert(source: .generic, host: host, service: name)
        switch change {
        case .problem(let state):
            alert.notificationType = NotificationKind.problem.nagiosName
            // A failed job is as bad as a CRITICAL service, unless `--severity warning` says it
            // can wait (for the rate limits' urgency and quiet hours).
            alert.serviceState = nagios ? state : failure.label
            let output = nagios ? result.output : [result.ending, result.output].compactMap { $0 }.joined(separator: ": ")
            alert.output = output.flatMap { $0.isEmpty ? nil : $0 } ?? result.ending
        case .recovery(let downFor, _):
            alert.notificationType = NotificationKind.recovery.nagiosName
            alert.serviceState = PluginState.ok.label
            let down = "down for \(Self.text(downFor))"
            alert.output = nagios ? [down, result.output].compactMap { $0 }.joined(separator: ": ") : down
        }
        return GenericDecoder.withDerivedKey(alert)
    }

    /// A duration as the SMS gives it: `45s`, `12m`, `3h5m`, `2d4h` (seconds dropped past an hour).
    public static func text(_ duration: Duration) -> String {
        var seconds = max(0, duration.components.seconds)
        if seconds >= 3600 { seconds -= seconds % 60 }
        return DurationText.format(.seconds(seconds == 0 ? 1 : seconds))
    }
}
