import AlertModel
import NotifyCore
import NotifyState
import SMSPartner
import SMSText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `run`: its arguments as plain values, and what it does with them.
///
/// The command always runs: a problem with the alerting (the configuration, the store,
/// SMSPartner) is said on standard error and, unless `--strict`, leaves the exit status the
/// command's. The run is recorded and the SMS admitted in one write transaction
/// (``Outbox/admit(lease:deciding:)`` with ``CheckRunTracker``), so that of concurrent runs
/// of one check exactly one texts its change; the SMS then goes the way `send`'s does
/// (``AlertDispatch``): deduplication, rate limits, outbox, two-way paging and escalation.
struct RunInvocation: Sendable {
    var name: String?
    var to: [String] = []
    var timeout: Int?
    var failAfter = 1
    var nagios = false
    /// The state of a failed run (`--severity`): CRITICAL or WARNING.
    var failure: PluginState = .critical
    var strict = false
    var dryRun = false
    var config: String?
    var stateDir: String?
    var command: [String]

    /// The check's identity: `--name`, else the command line.
    var checkName: String {
        name?.trimmingWhitespace() ?? command.joined(separator: " ")
    }

    /// What standard error shows of the check.
    var shownName: String { checkName.displayEscaped }

    /// Runs the command, texts what changed; the exit status to end with.
    func run() -> Int32 {
        let result = runCommand()
        if let signal = result.interruptedBy {
            say("\(shownName) interrupted by signal \(signal): not recorded, nothing sent")
            return result.run.exitStatus
        }
        let status = result.run.exitStatus
        do {
            try monitor(result.run)
            return status
        } catch let failure as CommandFailure {
            say("\(shownName): \(failure.message)")
            return strict ? failure.status.rawValue : status
        } catch {
            say("\(shownName): \(error)")
            return strict ? ExitStatus.osError.rawValue : status
        }
    }

    /// Writes `run: <text>` on standard error.
    func say(_ text: String) {
        Console.warning("run: \(text)")
    }

    /// Runs the command to its end: how it ended, with its output line, and the signal that
    /// interrupted `run` if one did.
    func runCommand() -> (run: RunResult, interruptedBy: Int32?) {
        let child = ChildProcess(arguments: command, timeout: timeout.map { .seconds($0) })
        do {
            let outcome = try child.run()
            let line = nagios
                ? OutputLines.pluginLine(stdout: outcome.stdout.head, stderr: outcome.stderr.tail)
                : OutputLines.lastLine(stdout: outcome.stdout.tail, stderr: outcome.stderr.tail)
            return (RunResult(termination: outcome.termination, output: line), outcome.interruptedBy)
        } catch {
            let reason = "cannot run \(command[0].displayEscaped): \(error.description)"
            say(reason)
            return (RunResult(termination: .exited(error.exitStatus), output: reason), nil)
        }
    }

    /// Records `result` and texts what changed; throws the failure of the alerting.
    func monitor(_ result: RunResult) throws {
        let environment = ProcessEnvironment.current()
        let settings = try CommandSupport.settings(config: config, environment: environment)
        let configuration = settings.configuration
        let recipients = try Self.recipients(flags: to, configuration: configuration)
        let tracker = CheckRunTracker(failAfter: failAfter, nagios: nagios)
        let name = checkName
        let candidate = { (change: CheckRunTracker.Change) -> AlertCandidate in
            let alert = CheckRunAlert.alert(change, name: name, host: Settings.hostName, result: result, nagios: nagios,
                                            failure: failure)
            var notification = Notification(single: alert)
            notification.receiver = Self.receiver
            return AlertCandidate(notification: notification, rendered: settings.renderer.render(notification),
                                  recipients: recipients, dedupKey: notification.dedupKey)
        }
        if dryRun {
            return preview(result, tracker: tracker, settings: settings, candidate: candidate)
        }
        let sender = settings.sender(apiKey: try CommandSupport.apiKey(settings))
        let budget = configuration.timeout
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let left = { max(deadline - clock.now, .zero) }
        let sayLine = { (line: String) in say("\(shownName): \(line)") }
        // A store that cannot be used must not cost the page: a failed run is texted without
        // state (it cannot tell a new failure from one already texted), a success is not.
        let withoutState = { (error: StateError) throws -> Void in
            guard !result.succeeded else { throw CommandFailure(ExitStatus(error), "succeeded, not recorded: \(error)") }
            say("\(shownName) failed (\(result.ending)): not recorded: \(error)")
            try SendInvocation.sendWithoutState(candidate(.problem(state: tracker.state(of: result))), because: error,
                                                sender: sender, within: left(), of: budget, say: sayLine)
        }
        let lease = sender.lease(within: budget)
        var step: CheckRunTracker.Step?
        let outbox: Outbox
        let admission: Admission?
        do {
            outbox = settings.outbox(store: try CommandSupport.alertStore(settings, flag: stateDir, budget: budget))
            admission = try outbox.admit(lease: lease) { (tx, time) throws(StateError) -> AlertCandidate? in
                let next = tracker.step(try tx.checkRun(named: name), name: name, result: result, at: time)
                try tx.save(next.check)
                step = next
                return next.change.map(candidate)
            }
        } catch {
            return try withoutState(error)
        }
        // A success with nothing to say prints nothing: cron mails any output.
        guard let step, step.change != nil || step.check.failures > 0 else { return }
        say(headline(result, step: step))
        guard let admission else { return }
        let dispatch = AlertDispatch(outbox: outbox, sender: sender, budget: budget, left: left, lease: lease,
                                     maxAge: configuration.policy.maxAge, say: sayLine)
        if let failure = try dispatch.deliver(admission, recipients: recipients.count) { throw failure }
    }

    /// `--dry-run`: what this run would change and send, from the store as it is (nothing
    /// recorded, nothing contacted).
    func preview(_ result: RunResult, tracker: CheckRunTracker, settings: Settings,
                 candidate: (CheckRunTracker.Change) -> AlertCandidate) {
        let previous: CheckRun?
        do {
            previous = try settings.existingStore(flag: stateDir, busyTimeout: .seconds(2), upgrade: false)?
                .read { (reader) throws(StateError) in try reader.checkRun(named: checkName) }
        } catch {
            say("dry-run: \(shownName): the state is unreadable: \(error)")
            previous = nil
        }
        let step = tracker.step(previous, name: checkName, result: result, at: settings.clock())
        say("dry-run: \(headline(result, step: step))")
        if let change = step.change {
            let alert = candidate(change)
            say("dry-run: \(shownName): would send to \(alert.recipients.map(\.e164).joined(separator: ",")): \(alert.rendered.message.text)")
        }
    }

    /// What the run came to, in one line: `disk-check failed (exit 2), 1 failed run in a row:
    /// PROBLEM`, `disk-check succeeded: RECOVERY after 12m`.
    func headline(_ result: RunResult, step: CheckRunTracker.Step) -> String {
        let what = nagios ? "\(step.check.state) (\(result.ending))" : result.succeeded ? "succeeded" : "failed (\(result.ending))"
        let streak = step.check.failures > 0 ? ", \(step.check.failures) failed run\(step.check.failures == 1 ? "" : "s") in a row" : ""
        let news: String
        switch step.change {
        case .problem(let state)?: news = nagios ? "PROBLEM \(state)" : "PROBLEM"
        case .recovery(let downFor, _)?: news = "RECOVERY, down for \(CheckRunAlert.text(downFor))"
        case nil where step.check.alerted != nil: news = "PROBLEM sent already"
        case nil where step.check.failures > 0: news = "nothing sent before \(failAfter) in a row"
        case nil: news = "nothing to send"
        }
        return "\(shownName) \(what)\(streak): \(news)"
    }

    /// The receiver name whose `receivers:` route gives the recipients without `--to`.
    static let receiver = "run"

    /// The numbers to text: `--to`, else the configuration's `receivers.run`.
    static func recipients(flags: [String], configuration: Configuration) throws -> [PhoneNumber] {
        guard flags.isEmpty else {
            do {
                return try RecipientResolver.resolve(flags: flags, input: [], allowlist: nil, limit: configuration.maxRecipients).numbers
            } catch {
                throw CommandFailure(.usage, error.description)
            }
        }
        guard let numbers = configuration.receivers[receiver], !numbers.isEmpty else {
            throw CommandFailure(.configuration, "no recipient: give --to, or receivers.run in the configuration")
        }
        return numbers
    }
}
