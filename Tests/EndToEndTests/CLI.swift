import Foundation
import SMSPartnerTesting
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What one run of the built `smspartner-notify` binary produced.
struct CLIResult: Sendable {
    var arguments: [String]
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var elapsed: Duration

    /// The stdout lines, without the empty string after a final newline.
    var stdoutLines: [String] { Self.lines(stdout) }
    /// The stderr lines, without the empty string after a final newline.
    var stderrLines: [String] { Self.lines(stderr) }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// A one-line summary for failure messages.
    var summary: String {
        "smspartner-notify \(arguments.joined(separator: " ")) → exit \(exitCode) in \(elapsed)\n"
            + "--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)--------------"
    }
}

/// Why running the binary failed (not the binary's own failures: those are in ``CLIResult``).
enum CLIError: Error, CustomStringConvertible {
    case binaryNotFound(String)
    /// `killedAfter`: when the child actually ended, from its start.
    case timedOut(arguments: [String], after: Duration, killedAfter: Duration, stdout: String, stderr: String)

    var description: String {
        switch self {
        case .binaryNotFound(let path):
            "smspartner-notify not found at \(path): build it (swift build --build-tests) or set SMSPARTNER_NOTIFY_BIN"
        case .timedOut(let arguments, let after, let killedAfter, let stdout, let stderr):
            "smspartner-notify \(arguments.joined(separator: " ")) still running after \(after): killed (ended after \(killedAfter))\n"
                + "--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
        }
    }
}

/// Runs the built binary in a clean environment and checks the output contract on every result.
enum CLI {
    static let toolName = "smspartner-notify"

    /// The binary: `$SMSPARTNER_NOTIFY_BIN`, else `smspartner-notify` beside the test bundle.
    static let binaryPath: String = {
        if let override = ProcessInfo.processInfo.environment["SMSPARTNER_NOTIFY_BIN"], !override.isEmpty {
            return override
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent(toolName).path
    }()

    /// What the child reads on standard input.
    enum Input: Sendable {
        /// `/dev/null`: empty, at once.
        case none
        /// These bytes, then end of file.
        case bytes(Data)
        /// These bytes on a pipe that the test keeps open until the child exits (no end of file).
        case neverClosed(Data)
        /// A pseudo-terminal (its secondary side; the test holds the primary until the child exits).
        case terminal
    }

    /// Runs `smspartner-notify args` with stdin from `stdin` (UTF-8), or `/dev/null` when nil.
    ///
    /// The child environment holds only `PATH`, `HOME` (an empty temporary directory) and `env`.
    /// Every result is checked with ``expectContract(_:secrets:sourceLocation:)``.
    static func run(
        _ args: [String],
        env: [String: String] = [:],
        stdin: String? = nil,
        timeout: Duration = .seconds(60),
        secrets: [String] = [],
        wrapper: [String] = [],
        gated: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CLIResult {
        try await run(
            args, env: env, input: stdin.map { .bytes(Data($0.utf8)) } ?? .none, timeout: timeout,
            secrets: secrets, wrapper: wrapper, gated: gated, sourceLocation: sourceLocation)
    }

    /// Runs `smspartner-notify args` with `input` on standard input.
    static func run(
        _ args: [String],
        env: [String: String] = [:],
        input: Input,
        timeout: Duration = .seconds(60),
        secrets: [String] = [],
        wrapper: [String] = [],
        gated: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CLIResult {
        guard gated else {
            return try await runNow(args, env: env, input: input, timeout: timeout, secrets: secrets, wrapper: wrapper, sourceLocation: sourceLocation)
        }
        return try await LoadGate.shared.with(exclusive: false) {
            try await runNow(args, env: env, input: input, timeout: timeout, secrets: secrets, wrapper: wrapper, sourceLocation: sourceLocation)
        }
    }

    static func runNow(
        _ args: [String],
        env: [String: String],
        input: Input,
        timeout: Duration,
        secrets: [String],
        wrapper: [String],
        sourceLocation: SourceLocation
    ) async throws -> CLIResult {
        guard FileManager.default.isExecutableFile(atPath: binaryPath) else {
            throw CLIError.binaryNotFound(binaryPath)
        }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let home = try scratch.makeDirectory("home")
        let stdoutPath = scratch.path("stdout")
        let stderrPath = scratch.path("stderr")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        var stdinPipe: Pipe?
        var terminal: (primary: FileHandle, secondary: FileHandle)?
        let stdinPath: String
        switch input {
        case .none:
            stdinPath = "/dev/null"
        case .bytes(let data):
            stdinPath = try scratch.write("stdin", data)
        case .neverClosed(let data):
            stdinPath = "/dev/null"
            let pipe = Pipe()
            try pipe.fileHandleForWriting.write(contentsOf: data)  // small: fits in the pipe buffer
            stdinPipe = pipe
        case .terminal:
            stdinPath = "/dev/null"
            terminal = try openPseudoTerminal()
        }

        // Output goes to files, not pipes: nothing can fill up and block the child.
        let stdoutHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let stderrHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        let stdinHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinPath))
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
            try? stdinHandle.close()
            try? stdinPipe?.fileHandleForWriting.close()
            try? terminal?.secondary.close()
            try? terminal?.primary.close()
        }

        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            // A state of its own for each run unless the test shares one: /var/lib would be
            // writable here (root) and carry decisions from one test into the next.
            "SMSPARTNER_STATE_DIR": scratch.path("state"),
        ]
        environment.merge(env) { _, new in new }

        let process = Process()
        // `wrapper` runs the binary through another program (setpriv to drop root).
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? binaryPath)
        process.arguments = wrapper.isEmpty ? args : Array(wrapper.dropFirst()) + [binaryPath] + args
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.root)
        process.standardInput = stdinPipe.map { $0.fileHandleForReading } ?? terminal?.secondary ?? stdinHandle
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle

        let exit = ExitSignal()
        process.terminationHandler = { _ in exit.signal() }
        let start = ContinuousClock.now
        try process.run()
        let pid = process.processIdentifier

        // The kill comes from a thread of its own: CPU-bound tests running beside can keep
        // the cooperative pool busy for seconds, and a hung child must not wait for them. For
        // the same reason it learns of the exit from `exit` itself (set on Foundation's thread),
        // not from this task, which may resume seconds after the child has ended.
        let watchdog = Watchdog(pid: pid, after: timeout, unless: exit)
        await exit.wait()
        let exitedInTime = !watchdog.finish()
        await exit.wait()
        let elapsed = exit.exitedAt.map { $0 - start } ?? (ContinuousClock.now - start)

        let stdout = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self)
        guard exitedInTime else {
            throw CLIError.timedOut(arguments: args, after: timeout, killedAfter: elapsed, stdout: stdout, stderr: stderr)
        }
        let result = CLIResult(
            arguments: args, exitCode: process.terminationStatus, stdout: stdout, stderr: stderr, elapsed: elapsed)
        #expect(
            process.terminationReason == .exit, "killed by a signal: \(result.summary)", sourceLocation: sourceLocation)
        expectContract(result, secrets: secrets, sourceLocation: sourceLocation)
        return result
    }

    /// A new pseudo-terminal, neither side this process's controlling terminal: `/dev/ptmx`,
    /// unlocked and its number read with the ioctls behind unlockpt and ptsname (TIOCSPTLCK,
    /// TIOCGPTN: Glibc's module exports neither those functions nor the constants).
    static func openPseudoTerminal() throws -> (primary: FileHandle, secondary: FileHandle) {
        let primary = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard primary >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: ["path": "/dev/ptmx", "errno": errno]) }
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard ioctl(primary, UInt(0x4004_5431) /* TIOCSPTLCK */, &unlock) == 0,
              ioctl(primary, UInt(0x8004_5430) /* TIOCGPTN */, &number) == 0 else {
            close(primary)
            throw CocoaError(.fileReadUnknown, userInfo: ["path": "/dev/ptmx", "errno": errno])
        }
        let secondary = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard secondary >= 0 else {
            close(primary)
            throw CocoaError(.fileReadUnknown, userInfo: ["path": "/dev/pts/\(number)", "errno": errno])
        }
        return (FileHandle(fileDescriptor: primary, closeOnDealloc: false), FileHandle(fileDescriptor: secondary, closeOnDealloc: false))
    }

    /// The contract every run must honour: no API key in any output, and a non-zero exit prints
    /// exactly one line on stderr, prefixed `smspartner-notify: ` (a zero exit prints nothing there).
    static func expectContract(_ result: CLIResult, secrets: [String], sourceLocation: SourceLocation) {
        for secret in Set([FakeSMSPartner.defaultAPIKey] + secrets) where !secret.isEmpty {
            #expect(!result.stdout.contains(secret), "API key leaked on stdout: \(result.summary)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(secret), "API key leaked on stderr: \(result.summary)", sourceLocation: sourceLocation)
        }
        // Every line is one line: no control character but the newline that ends it (issue 16).
        for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
            let controls = text.utf8.filter { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }
            #expect(controls.isEmpty, "control bytes \(controls) on \(name): \(result.summary)", sourceLocation: sourceLocation)
        }
        if result.arguments.first == "run" && result.exitCode != 64 {
            // A wrapper: the command's own output and exit status, and its own lines on stderr
            // (RunTests checks those); nothing more to hold it to.
            return
        }
        if result.arguments.first == "check" && !result.arguments.contains("--help") {
            // A monitoring plugin: one line on stdout (where Nagios and Icinga read it), the
            // plugin status 0 to 3, nothing on stderr (Icinga would append it to the output).
            #expect((0...3).contains(result.exitCode), "check exits 0 to 3: \(result.summary)", sourceLocation: sourceLocation)
            #expect(result.stdoutLines.count == 1 && result.stdoutLines[0].hasPrefix("SMSPARTNER "),
                    "check prints one SMSPARTNER line: \(result.summary)", sourceLocation: sourceLocation)
            #expect(result.stderr.isEmpty, "check prints nothing on stderr: \(result.summary)", sourceLocation: sourceLocation)
        } else if result.exitCode == 0 {
            // Only warnings, each one line, may accompany a success.
            let other = result.stderrLines.filter { !$0.hasPrefix("\(toolName): warning: ") }
            #expect(other.isEmpty, "exit 0 but stderr not empty: \(result.summary)", sourceLocation: sourceLocation)
        } else {
            let lines = result.stderrLines
            #expect(
                lines.count == 1 && result.stderr.hasSuffix("\n"),
                "a failure must print exactly one line on stderr: \(result.summary)", sourceLocation: sourceLocation)
            #expect(
                result.stderr.hasPrefix("\(toolName): "),
                "stderr must start with \"\(toolName): \": \(result.summary)", sourceLocation: sourceLocation)
        }
    }
}

/// Kills a child with SIGKILL once `timeout` has passed, from a thread of its own, unless
/// ``finish()`` comes first or the child has exited (`exit`).
final class Watchdog: Sendable {
    private let state = Mutex((finished: false, fired: false))

    init(pid: pid_t, after timeout: Duration, unless exit: ExitSignal) {
        let deadline = ContinuousClock.now + timeout
        let thread = Thread { [self] in
            while ContinuousClock.now < deadline {
                if state.withLock({ $0.finished }) || exit.exitedAt != nil { return }
                usleep(10_000)
            }
            // Under the lock, so a child reaped (and its pid reused) after finish() is never hit.
            state.withLock { state in
                guard !state.finished, exit.exitedAt == nil else { return }
                state.fired = true
                kill(pid, SIGKILL)
            }
        }
        thread.start()
    }

    /// Stops the watchdog; whether it had already killed the child.
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            return state.fired
        }
    }
}

/// Signals the exit of a child process once, to any number of waiters.
final class ExitSignal: Sendable {
    private struct State {
        var exitedAt: ContinuousClock.Instant?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var exitedAt: ContinuousClock.Instant? { state.withLock { $0.exitedAt } }

    func signal() {
        let now = ContinuousClock.now
        let waiters = state.withLock { state in
            if state.exitedAt == nil { state.exitedAt = now }
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.exitedAt != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

// MARK: - Fake server helpers

/// Starts a fake SMSPartner on 127.0.0.1 (a free port), runs `body`, and shuts it down.
func withFake<T>(
    apiKey: String = FakeSMSPartner.defaultAPIKey,
    _ body: (FakeSMSPartner) async throws -> T
) async throws -> T {
    let fake = try await FakeSMSPartner.start(apiKey: apiKey)
    do {
        let result = try await body(fake)
        try await fake.shutdown()
        return result
    } catch {
        try? await fake.shutdown()
        throw error
    }
}

extension FakeSMSPartner {
    /// The environment that points the binary at this fake with the accepted key.
    var env: [String: String] {
        ["SMSPARTNER_API_URL": baseURL, "SMSPARTNER_API_KEY": FakeSMSPartner.defaultAPIKey]
    }

    /// The bodies of every `POST /v1/send` received (accepted or not).
    var sendBodies: [SendRequestBody] {
        requests.filter { $0.method == "POST" && $0.path == "/v1/send" }.compactMap(\.sendBody)
    }
}
