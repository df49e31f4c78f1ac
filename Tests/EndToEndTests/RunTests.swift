import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `run` against a fake SMSPartner: one PROBLEM per failure streak, one RECOVERY, the exit
/// status passed through, the timeout, concurrency, SMS failures and usage errors.
@Suite("run: shell checks and cron jobs")
struct RunTests {
    static let recipient = "+33600000000"

    /// This host's name as `gethostname` gives it (what the SMS names).
    static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// `run --name NAME --to … [extra] -- sh -c SCRIPT`.
    static func run(_ name: String, _ script: String, _ extra: [String] = []) -> [String] {
        ["run", "--name", name, "--to", recipient] + extra + ["--", "sh", "-c", script]
    }

    /// The environment of a run at `now` (Unix seconds) sharing `state`'s directory.
    static func env(_ fake: FakeSMSPartner, _ state: StateTests.SharedState, now: Double? = nil) -> [String: String] {
        state.env(fake, now: now.map { Date(timeIntervalSince1970: $0) })
    }

    @Test("a failing command sends one PROBLEM, none while it keeps failing, one RECOVERY with how long it was down")
    func streak() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let t0 = 1_800_000_000.0
        try await withFake { fake in
            let failing = Self.run("disk-check", "echo checking; echo 'disk full on /var' >&2; exit 3")
            let first = try await CLI.run(failing, env: Self.env(fake, state, now: t0))
            #expect(first.exitCode == 3, "\(first.summary)")
            #expect(first.stdout == "checking\n", "the command's stdout is echoed: \(first.summary)")
            #expect(first.stderr.hasPrefix("disk full on /var\n"), "the command's stderr is echoed first: \(first.summary)")
            #expect(first.stderrLines.contains("smspartner-notify: run: disk-check failed (exit 3), 1 failed run in a row: PROBLEM"),
                    "\(first.summary)")
            #expect(first.stderrLines.contains { $0.hasPrefix("smspartner-notify: run: disk-check: sent: \(Self.recipient) (message_id ") },
                    "\(first.summary)")
            #expect(fake.deliveredMessages.map(\.message) == ["PROBLEM \(Self.hostName)/disk-check CRITICAL: exit 3: disk full on /var"])

            for minute in 1...3 {
                let again = try await CLI.run(failing, env: Self.env(fake, state, now: t0 + Double(minute * 60)))
                #expect(again.exitCode == 3, "\(again.summary)")
                #expect(again.stderrLines.contains(
                    "smspartner-notify: run: disk-check failed (exit 3), \(minute + 1) failed runs in a row: PROBLEM sent already"),
                    "\(again.summary)")
            }
            #expect(fake.deliveredMessages.count == 1, "\(fake.deliveredMessages.map(\.message))")

            let recovered = try await CLI.run(Self.run("disk-check", "echo fine"), env: Self.env(fake, state, now: t0 + 12 * 60))
            #expect(recovered.exitCode == 0, "\(recovered.summary)")
            #expect(recovered.stdout == "fine\n")
            #expect(recovered.stderrLines.contains("smspartner-notify: run: disk-check succeeded: RECOVERY, down for 12m"),
                    "\(recovered.summary)")
            #expect(fake.deliveredMessages.map(\.message).last == "RECOVERY \(Self.hostName)/disk-check OK: down for 12m")

            // Succeeding on: silent (cron mails any output), nothing sent.
            let quiet = try await CLI.run(Self.run("disk-check", "true"), env: Self.env(fake, state, now: t0 + 13 * 60))
            #expect(quiet.exitCode == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.summary)")
            #expect(fake.deliveredMessages.count == 2)

            // A new streak is news again, though within the dedup window.
            let again = try await CLI.run(failing, env: Self.env(fake, state, now: t0 + 14 * 60))
            #expect(again.exitCode == 3)
            #expect(fake.deliveredMessages.count == 3, "\(again.summary)")
        }
    }

    @Test("the exit status passes through; the name defaults to the command line; a signal is 128+N")
    func exitStatus() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let ok = try await CLI.run(["run", "--to", Self.recipient, "--", "true"], env: Self.env(fake, state))
            #expect(ok.exitCode == 0 && ok.stderr.isEmpty, "\(ok.summary)")
            let failed = try await CLI.run(["run", "--to", Self.recipient, "--", "sh", "-c", "exit 42"], env: Self.env(fake, state))
            #expect(failed.exitCode == 42, "\(failed.summary)")
            #expect(fake.deliveredMessages.last?.message == "PROBLEM \(Self.hostName)/sh -c exit 42 CRITICAL: exit 42")
            let killed = try await CLI.run(Self.run("killed", "kill -9 $$"), env: Self.env(fake, state))
            #expect(killed.exitCode == 137, "\(killed.summary)")
            #expect(fake.deliveredMessages.last?.message == "PROBLEM \(Self.hostName)/killed CRITICAL: killed by signal 9")
            let missing = try await CLI.run(["run", "--name", "gone", "--to", Self.recipient, "--", "/nonexistent/job"], env: Self.env(fake, state))
            #expect(missing.exitCode == 127, "\(missing.summary)")
            // No shell: the arguments reach the command as they are.
            let literal = try await CLI.run(["run", "--to", Self.recipient, "--", "echo", "$HOME", "a  b"], env: Self.env(fake, state))
            #expect(literal.stdout == "$HOME a  b\n", "\(literal.summary)")
            // Standard input is the command's.
            let piped = try await CLI.run(["run", "--to", Self.recipient, "--", "cat"], env: Self.env(fake, state), stdin: "line 1\nline 2\n")
            #expect(piped.exitCode == 0 && piped.stdout == "line 1\nline 2\n", "\(piped.summary)")
        }
    }

    @Test("without --to, the configuration's receivers.run get the SMS; with neither, the command still runs")
    func receiversRun() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let config = try state.scratch.write("config.yml", "receivers:\n  run: [\"+33611111111\", \"0622222222\"]\n")
        try await withFake { fake in
            let result = try await CLI.run(["run", "--name", "job", "--config", config, "--", "false"], env: Self.env(fake, state))
            #expect(result.exitCode == 1, "\(result.summary)")
            #expect(fake.deliveredMessages.map(\.phoneNumbers) == ["+33611111111,+33622222222"], "\(result.summary)")
            let none = try await CLI.run(["run", "--name", "job2", "--", "sh", "-c", "echo ran; exit 6"], env: Self.env(fake, state))
            #expect(none.exitCode == 6 && none.stdout == "ran\n", "\(none.summary)")
            #expect(none.stderrLines.contains("smspartner-notify: run: job2: no recipient: give --to, or receivers.run in the configuration"),
                    "\(none.summary)")
        }
    }

    @Test("--fail-after 3 sends on the third failed run in a row; a success in between starts over")
    func failAfter() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let failing = Self.run("flaky", "echo timeout >&2; exit 1", ["--fail-after", "3"])
            let passing = Self.run("flaky", "true", ["--fail-after", "3"])
            for arguments in [failing, failing, passing, failing, failing] {
                _ = try await CLI.run(arguments, env: Self.env(fake, state))
            }
            #expect(fake.deliveredMessages.isEmpty, "\(fake.deliveredMessages.map(\.message))")
            let third = try await CLI.run(failing, env: Self.env(fake, state))
            #expect(third.exitCode == 1)
            #expect(third.stderrLines.contains("smspartner-notify: run: flaky failed (exit 1), 3 failed runs in a row: PROBLEM"), "\(third.summary)")
            #expect(fake.deliveredMessages.map(\.message) == ["PROBLEM \(Self.hostName)/flaky CRITICAL: exit 1: timeout"])
            _ = try await CLI.run(failing, env: Self.env(fake, state))
            #expect(fake.deliveredMessages.count == 1)
        }
    }

    @Test("--nagios: a plugin's state changes are texted with its first line, the same state again is not")
    func nagios() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            func plugin(_ status: Int, _ line: String) -> [String] {
                Self.run("check_disk", "echo '\(line)|used=1'; echo 'long output'; exit \(status)", ["--nagios"])
            }
            let steps: [(Int, String, Int)] = [
                (0, "DISK OK", 0), (2, "DISK CRITICAL - / 99%", 1), (2, "DISK CRITICAL - / 99%", 1),
                (1, "DISK WARNING - / 91%", 2), (0, "DISK OK - / 40%", 3),
            ]
            for (index, (status, line, expected)) in steps.enumerated() {
                let now = 1_800_000_000.0 + Double(index * 60)
                let result = try await CLI.run(plugin(status, line), env: Self.env(fake, state, now: now))
                #expect(result.exitCode == Int32(status), "\(result.summary)")
                #expect(fake.deliveredMessages.count == expected, "after \(line): \(fake.deliveredMessages.map(\.message))")
            }
            let host = Self.hostName
            #expect(fake.deliveredMessages.map(\.message) == [
                "PROBLEM \(host)/check_disk CRITICAL: DISK CRITICAL - / 99%",
                "PROBLEM \(host)/check_disk WARNING: DISK WARNING - / 91%",
                "RECOVERY \(host)/check_disk OK: down for 3m: DISK OK - / 40%",
            ], "\(fake.deliveredMessages.map(\.message))")
        }
    }

    @Test("--timeout kills the command's whole process group, and the SMS says it timed out")
    func timeout() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let pidFile = state.scratch.path("grandchild.pid")
        try await withFake { fake in
            let result = try await CLI.run(
                Self.run("slow", "sleep 30 & echo $! > \(pidFile); sleep 30", ["--timeout", "1"]), env: Self.env(fake, state))
            #expect(result.exitCode == 124, "\(result.summary)")
            #expect(result.elapsed < .seconds(8), "\(result.summary)")
            #expect(fake.deliveredMessages.map(\.message) == ["PROBLEM \(Self.hostName)/slow CRITICAL: timed out after 1 s"])
            let pid = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            // Gone, or a zombie left to whoever adopted it: not running.
            var running = true
            for _ in 0..<40 where running {
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
                running = stat.map { !$0.contains(") Z ") && !$0.contains(") X ") } ?? false
                if running { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(!running, "the grandchild \(pid) outlived the timeout")
        }
    }

    @Test("SIGTERM to run goes to the command's group; the stopped run is not recorded nor texted")
    func forwardsSIGTERM() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        let pidFile = state.scratch.path("child.pid")
        try await withFake { fake in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binaryPath)
            process.arguments = Self.run("stopped", "echo $$ > \(pidFile); sleep 30")
            process.environment = Self.env(fake, state).merging(["PATH": "/usr/bin:/bin"]) { $1 }
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: pidFile) {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(100))
            kill(process.processIdentifier, SIGTERM)
            let clock = ContinuousClock()
            let start = clock.now
            while process.isRunning && clock.now - start < .seconds(10) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!process.isRunning, "run did not end after SIGTERM")
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 143, "\(text)")
            #expect(text.contains("smspartner-notify: run: stopped interrupted by signal 15: not recorded, nothing sent"), "\(text)")
            #expect(fake.deliveredMessages.isEmpty)
        }
    }

    @Test("30 concurrent runs of one failing check send one SMS")
    func concurrent() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let arguments = Self.run("nightly", "echo broken >&2; exit 2")
            let results = try await LoadGate.shared.with(exclusive: true) {
                try await withThrowingTaskGroup(of: CLIResult.self) { group in
                    for _ in 0..<30 {
                        group.addTask { try await CLI.run(arguments, env: Self.env(fake, state), timeout: .seconds(90), gated: false) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(results.allSatisfy { $0.exitCode == 2 }, "\(results.filter { $0.exitCode != 2 }.prefix(2).map(\.summary))")
            #expect(fake.deliveredMessages.count == 1)
            #expect(results.count(where: { $0.stderr.contains(": PROBLEM\n") }) == 1)
            // The others decided nothing about the SMS: the check's state said it went already
            // (not the deduplication of a second PROBLEM).
            #expect(results.count(where: { $0.stderr.contains("PROBLEM sent already") }) == 29,
                    "\(results.filter { !$0.stderr.contains("PROBLEM") }.prefix(2).map(\.summary))")
            #expect(!results.contains { $0.stderr.contains("duplicate") })
        }
    }

    @Test("an SMS SMSPartner refuses is said on stderr; the exit status stays the command's unless --strict")
    func smsFailure() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            fake.enqueue(.error(code: 9))
            let result = try await CLI.run(Self.run("job", "exit 5"), env: Self.env(fake, state))
            #expect(result.exitCode == 5, "\(result.summary)")
            #expect(result.stderrLines.contains { $0.hasPrefix("smspartner-notify: run: job: not sent: ") }, "\(result.summary)")
            fake.enqueue(.error(code: 9))
            let strict = try await CLI.run(Self.run("strict-job", "exit 5", ["--strict"]), env: Self.env(fake, state))
            #expect(strict.exitCode == 69, "\(strict.summary)")
            #expect(strict.stderrLines.contains { $0.hasPrefix("smspartner-notify: run: strict-job: not sent: ") }, "\(strict.summary)")
            // No API key: the command still runs, its status stays; --strict makes it 78.
            var noKey = Self.env(fake, state)
            noKey["SMSPARTNER_API_KEY"] = nil
            let unmonitored = try await CLI.run(Self.run("nokey", "echo ran; exit 4"), env: noKey)
            #expect(unmonitored.exitCode == 4 && unmonitored.stdout == "ran\n", "\(unmonitored.summary)")
            let strictNoKey = try await CLI.run(Self.run("nokey", "exit 4", ["--strict"]), env: noKey)
            #expect(strictNoKey.exitCode == 78, "\(strictNoKey.summary)")
        }
    }

    @Test("an unusable store: a failed run is texted without state, a success is not; --strict exits 73")
    func withoutState() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        // The state directory is a file: the store cannot be created.
        _ = try state.scratch.write("state", "not a directory")
        try await withFake { fake in
            let failed = try await CLI.run(Self.run("job", "exit 3"), env: Self.env(fake, state))
            #expect(failed.exitCode == 3, "\(failed.summary)")
            #expect(fake.deliveredMessages.map(\.message) == ["PROBLEM \(Self.hostName)/job CRITICAL: exit 3"])
            #expect(failed.stderrLines.contains { $0.hasPrefix("smspartner-notify: run: job failed (exit 3): not recorded: ") }, "\(failed.summary)")
            let strict = try await CLI.run(Self.run("job", "exit 3", ["--strict"]), env: Self.env(fake, state))
            #expect(strict.exitCode == 73, "\(strict.summary)")
            let succeeded = try await CLI.run(Self.run("job", "true"), env: Self.env(fake, state))
            #expect(succeeded.exitCode == 0, "\(succeeded.summary)")
            #expect(succeeded.stderrLines.count == 1 && succeeded.stderr.contains("succeeded, not recorded: "), "\(succeeded.summary)")
            #expect(fake.deliveredMessages.count == 2)
        }
    }

    @Test("--severity warning: a failed run is held in quiet hours for the morning digest; a critical one (the default) goes through")
    func severityAndQuietHours() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", """
                quiet_hours:
                  timezone: Europe/Paris
                  windows:
                    - {days: mon-sun, from: "22:00", to: "07:00"}
                """)
            // Wednesday 2 December 2026, 23:00 in Paris.
            let env = fake.env.merging(["SMSPARTNER_NOTIFY_FAKE_NOW": "1796248800"]) { _, new in new }
            let base = ["--config", config, "--state-dir", dir.path("state")]
            let backup = try await CLI.run(["run", "--name", "backup", "--to", Self.recipient, "--severity", "warning"] + base
                                           + ["--", "sh", "-c", "exit 1"], env: env)
            #expect(backup.exitCode == 1, "\(backup.summary)")
            #expect(backup.stderrLines.contains { $0.contains("held: \(Self.recipient): quiet hours until 07:00 (Europe/Paris)") },
                    "\(backup.summary)")
            #expect(fake.deliveredMessages.isEmpty)
            let disk = try await CLI.run(["run", "--name", "disk", "--to", Self.recipient] + base + ["--", "sh", "-c", "exit 1"], env: env)
            #expect(disk.exitCode == 1, "\(disk.summary)")
            #expect(fake.deliveredMessages.map(\.message) == ["PROBLEM \(Self.hostName)/disk CRITICAL: exit 1"], "\(disk.summary)")
        }
    }

    @Test("started with SIGCHLD ignored (inherited across exec), a failed command is still a failure: exit status kept, PROBLEM sent")
    func ignoredSIGCHLD() async throws {
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            // python3 ignores SIGCHLD, then execs run: the ignored disposition survives exec.
            let wrapper = ["/usr/bin/python3", "-c",
                           "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])"]
            let result = try await CLI.run(Self.run("sigchld", "exit 2"), env: Self.env(fake, state), wrapper: wrapper)
            #expect(result.exitCode == 2, "\(result.summary)")
            #expect(fake.deliveredMessages.map(\.message) == ["PROBLEM \(Self.hostName)/sigchld CRITICAL: exit 2"], "\(result.summary)")
        }
    }

    @Test("a usage error of run itself exits 64 with one line", arguments: [
        ["run", "--to", "+33600000000", "--"], ["run", "--to", "+33600000000", "--fail-after", "0", "--", "true"],
        ["run", "--to", "+33600000000", "--timeout", "0", "--", "true"], ["run", "--to", "+33600000000", "true"],
    ])
    func usage(arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.exitCode == 64, "\(result.summary)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("smspartner-notify: "), "\(result.summary)")
    }
}
