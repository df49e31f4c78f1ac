import AlertModel
import NotifyState
import Testing

@testable import NotifyCore

/// The rules of `run`: once per failure streak, once on recovery, `--fail-after`, `--nagios`.
@Suite struct CheckRunTrackerTests {
    static let t0 = Timestamp(milliseconds: 1_800_000_000_000)

    static func exit(_ status: Int32, _ output: String? = nil) -> RunResult {
        RunResult(termination: .exited(status), output: output)
    }

    /// Runs `results` one minute apart from nothing; the changes each led to.
    func changes(_ tracker: CheckRunTracker, _ results: [RunResult]) -> [CheckRunTracker.Change?] {
        var check: CheckRun?
        var changes: [CheckRunTracker.Change?] = []
        for (index, result) in results.enumerated() {
            let step = tracker.step(check, name: "job", result: result, at: Self.t0 + .seconds(Int64(index) * 60))
            check = step.check
            changes.append(step.change)
        }
        return changes
    }

    @Test func onePerStreakAndOneRecovery() {
        let changes = changes(CheckRunTracker(), [Self.exit(0), Self.exit(2), Self.exit(1), Self.exit(2), Self.exit(0), Self.exit(0), Self.exit(3)])
        #expect(changes == [nil, .problem(state: "failing"), nil, nil, .recovery(downFor: .seconds(180), failures: 3), nil, .problem(state: "failing")])
    }

    @Test func failAfterCountsFailuresInARow() {
        let tracker = CheckRunTracker(failAfter: 3)
        let changes = changes(tracker, [Self.exit(1), Self.exit(1), Self.exit(0), Self.exit(1), Self.exit(1), Self.exit(1), Self.exit(1), Self.exit(0)])
        #expect(changes == [nil, nil, nil, nil, nil, .problem(state: "failing"), nil, .recovery(downFor: .seconds(240), failures: 4)])
        #expect(CheckRunTracker(failAfter: 0).failAfter == 1)
    }

    @Test func aStreakThatNeverAlertedRecoversSilently() {
        let changes = changes(CheckRunTracker(failAfter: 2), [Self.exit(1), Self.exit(0)])
        #expect(changes == [nil, nil])
    }

    @Test func nagiosStatesChangesAreNews() {
        let tracker = CheckRunTracker(nagios: true)
        let changes = changes(tracker, [Self.exit(0), Self.exit(2), Self.exit(2), Self.exit(1), Self.exit(7), Self.exit(0)])
        #expect(changes == [nil, .problem(state: "CRITICAL"), nil, .problem(state: "WARNING"), .problem(state: "UNKNOWN"),
                            .recovery(downFor: .seconds(240), failures: 4)])
        #expect(tracker.state(of: RunResult(termination: .timedOut(seconds: 5), output: nil)) == "CRITICAL")
        #expect(tracker.state(of: RunResult(termination: .signaled(9), output: nil)) == "UNKNOWN")
    }

    @Test func exitStatusAndEnding() {
        #expect(RunResult(termination: .exited(3), output: nil).exitStatus == 3)
        #expect(RunResult(termination: .signaled(15), output: nil).exitStatus == 143)
        #expect(RunResult(termination: .timedOut(seconds: 5), output: nil).exitStatus == 124)
        #expect(RunResult(termination: .timedOut(seconds: 5), output: nil).ending == "timed out after 5 s")
    }

    @Test func theAlertsShareOneSubject() {
        let failed = Self.exit(2, "disk full")
        let problem = Notification(single: CheckRunAlert.alert(.problem(state: "failing"), name: "disk", host: "web01", result: failed, nagios: false))
        let recovery = Notification(single: CheckRunAlert.alert(.recovery(downFor: .seconds(3725), failures: 9), name: "disk", host: "web01",
                                                                result: Self.exit(0), nagios: false))
        #expect(problem.subject == "generic:web01/disk")
        #expect(recovery.subject == problem.subject)
        #expect(problem.isUrgent)
        #expect(problem.alerts.first?.output == "exit 2: disk full")
        #expect(recovery.alerts.first?.output == "down for 1h2m")
        #expect(problem.dedupKey != recovery.dedupKey)
    }

    @Test func outputLines() {
        let out = Array("first\nsecond\n\n".utf8)
        #expect(OutputLines.lastLine(stdout: out, stderr: Array("  warn  \n \n".utf8)) == "warn")
        #expect(OutputLines.lastLine(stdout: out, stderr: []) == "second")
        #expect(OutputLines.lastLine(stdout: [], stderr: []) == nil)
        #expect(OutputLines.lastLine(stdout: Array("a\u{1B}[31mred\r\n".utf8), stderr: []) == "a\\x1B[31mred")
        #expect(OutputLines.pluginLine(stdout: Array("DISK OK - 40% | used=40\nlong\n".utf8), stderr: []) == "DISK OK - 40%")
        #expect(OutputLines.pluginLine(stdout: [], stderr: Array("oops\n".utf8)) == "oops")
        let long = String(repeating: "x", count: 1000)
        #expect(OutputLines.lastLine(stdout: Array(long.utf8), stderr: [])?.count == OutputLines.maxLength)
    }
}
