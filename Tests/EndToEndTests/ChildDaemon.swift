import Foundation
import SMSPartnerTesting
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A monitoring daemon (`nagios4`, `icinga2`) as a child process in the foreground, stopped by PID.
///
/// Started with `posix_spawn`, not `Process`: a child inherits the signal mask it is spawned with,
/// and one started by `Process` in the test runner came up with nearly every signal blocked
/// (SIGTERM included) and SIGPIPE ignored, so Nagios ignored SIGTERM, and so would its workers and
/// the notification commands they run. Here the child gets an empty mask and default dispositions.
final class ChildDaemon: Sendable {
    /// The daemon's PID.
    let pid: pid_t
    private let state = Mutex((exited: false, stopped: false))

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `binary arguments` with exactly `environment`, standard input from `/dev/null`,
    /// standard output and error to the file `output` (see ``ChildSpawn``).
    static func spawn(_ binary: String, arguments: [String], environment: [String: String], output: String) throws -> ChildDaemon {
        do {
            return ChildDaemon(pid: try ChildSpawn.spawn([binary] + arguments, environment: environment, output: output))
        } catch {
            throw ChildDaemonError.spawnFailed(binary, errno: error.code)
        }
    }

    /// Whether the daemon still runs (it is reaped as soon as it is seen to have exited).
    var isRunning: Bool {
        state.withLock { state in
            guard !state.exited else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == 0 { return true }
            state.exited = true  // reaped now, or (ECHILD) already gone
            return false
        }
    }

    /// SIGTERM, up to 5 s to exit, then SIGKILL, up to 2 s more; by PID. Safe to call twice.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        if isRunning {
            kill(pid, SIGTERM)
            waitForExit(within: .seconds(5))
        }
        if isRunning {
            kill(pid, SIGKILL)
            waitForExit(within: .seconds(2))
        }
    }

    /// ``stop()`` on a thread of its own: its waits must not hold a thread of the concurrency pool.
    func stopOffPool() async {
        _ = try? await OwnThread.run { self.stop() }
    }

    /// Runs `body`, then stops the daemon (off the pool), whether `body` threw or not.
    func whileRunning<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await stopOffPool()
            return result
        } catch {
            await stopOffPool()
            throw error
        }
    }

    private func waitForExit(within limit: Duration) {
        let deadline = ContinuousClock.now + limit
        while isRunning && ContinuousClock.now < deadline {
            usleep(20_000)
        }
    }

    /// Polls until the fake has delivered `count` SMS and returns nil, or returns why it gave up:
    /// `limit` passed, the daemon exited, or `failure` (a look at the daemon's log) said why.
    func waitForDeliveries(
        _ count: Int, fake: FakeSMSPartner, name: String, within limit: Duration = .seconds(60), failure: () -> String?
    ) async throws -> String? {
        let deadline = ContinuousClock.now + limit
        var reason = "none delivered within \(limit)"
        while ContinuousClock.now < deadline {
            if fake.deliveredMessages.count >= count { return nil }
            if !isRunning {
                reason = "\(name) exited"
                break
            }
            if let failed = failure() {
                reason = failed
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // One last look: the delivery may have landed meanwhile.
        return fake.deliveredMessages.count >= count ? nil : reason
    }
}

/// Checks what a monitoring daemon paged, once nothing more may come: exactly one SMS per entry of
/// `expected`, in that order, each to `pager` alone with the fake's key (so the key file the
/// commands name was read), never `isStopSms`, and holding every one of its `parts`.
func expectPages(
    _ expected: [(kind: String, parts: [String])], to pager: String, fake: FakeSMSPartner, daemon: ChildDaemon, name: String,
    diagnostics: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let messages = fake.deliveredMessages
    try #require(
        messages.count == expected.count, "expected exactly \(expected.count) SMS, got \(messages.count)\n\(diagnostics)",
        sourceLocation: sourceLocation)
    #expect(
        fake.requests.count == expected.count, "expected \(expected.count) requests (no retries)\n\(diagnostics)", sourceLocation: sourceLocation)
    #expect(daemon.isRunning, "\(name) exited during the test\n\(diagnostics)", sourceLocation: sourceLocation)
    for (message, (kind, parts)) in zip(messages, expected) {
        #expect(message.numbers == [pager], "\(diagnostics)", sourceLocation: sourceLocation)
        #expect(message.apiKey == fake.apiKey, "the key file was not used\n\(diagnostics)", sourceLocation: sourceLocation)
        #expect(message.isStopSms == 0, sourceLocation: sourceLocation)
        let text = message.message ?? ""
        for part in parts {
            #expect(
                text.contains(part), "\(kind) SMS \(text.debugDescription) lacks \(part.debugDescription)\n\(diagnostics)",
                sourceLocation: sourceLocation)
        }
    }
}

/// One step of driving a monitoring daemon: what to do, and the SMS it must bring (its kind,
/// and the parts its text must hold).
struct PageStep {
    let kind: String
    let parts: [String]
    let action: () async throws -> Void

    init(_ kind: String, _ parts: [String], action: @escaping () async throws -> Void) {
        self.kind = kind
        self.parts = parts
        self.action = action
    }
}

/// Drives a daemon step by step, each time waiting (`waitForDeliveries`: nil, or why it gave up)
/// for the one SMS the step must bring; then, after half a second for anything that must not
/// come (no re-notification), checks them all with ``expectPages(_:to:fake:daemon:name:diagnostics:sourceLocation:)``.
func expectPages(
    driving steps: [PageStep], to pager: String, fake: FakeSMSPartner, daemon: ChildDaemon, name: String,
    waitForDeliveries: (Int) async throws -> String?, diagnostics: () -> String, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    for (index, step) in steps.enumerated() {
        try await step.action()
        let failure = try await waitForDeliveries(index + 1)
        try #require(failure == nil, "no \(step.kind) SMS: \(failure ?? "")\n\(diagnostics())", sourceLocation: sourceLocation)
    }
    try await Task.sleep(for: .milliseconds(500))
    try expectPages(
        steps.map { ($0.kind, $0.parts) }, to: pager, fake: fake, daemon: daemon, name: name, diagnostics: diagnostics(),
        sourceLocation: sourceLocation)
}

/// Why a step of driving a daemon or a tool failed.
enum ChildDaemonError: Error, CustomStringConvertible {
    case spawnFailed(String, errno: Int32)
    case timedOut([String], after: Duration, output: String)

    var description: String {
        switch self {
        case .spawnFailed(let path, let code):
            "could not start \(path): \(String(cString: strerror(code)))"
        case .timedOut(let command, let after, let output):
            "\(command.joined(separator: " ")) still running after \(after): killed\n\(output)"
        }
    }
}

/// Runs a tool to its end without holding a thread of the concurrency pool: its exit status and
/// everything it printed (standard output and error, through the file `output`). `environment`
/// nil: this process's. Killed after `timeout`.
func runTool(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String,
    directory: String? = nil, timeout: Duration = .seconds(60)
) async throws -> (status: Int32, output: String) {
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = handle
    process.standardError = handle
    let exit = ExitSignal()
    process.terminationHandler = { _ in exit.signal() }
    try process.run()
    let watchdog = Watchdog(pid: process.processIdentifier, after: timeout, unless: exit)
    await exit.wait()
    let printed = DaemonLog.text(of: output)
    guard !watchdog.finish() else { throw ChildDaemonError.timedOut([executable] + arguments, after: timeout, output: printed) }
    return (process.terminationStatus, printed)
}

/// Reading the logs a daemon writes, for diagnostics.
enum DaemonLog {
    static func text(of path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    static func tail(_ text: String, lines count: Int) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.suffix(count).joined(separator: "\n")
    }

    /// What the fake received, one request a line.
    static func requests(of fake: FakeSMSPartner) -> String {
        let requests = fake.requests.map { "  \($0.method) \($0.path) → \($0.reply)" }
        return "fake SMSPartner received \(requests.count) request(s)" + (requests.isEmpty ? "" : ":\n" + requests.joined(separator: "\n"))
    }
}

/// Who runs the tests, as the daemons' configurations name their user and group.
enum CurrentUser {
    /// This process's user name, by the reentrant lookup: getpwuid's static entry is shared
    /// with every other thread of the test process (seen: another lookup's raw passwd line as
    /// the user name).
    static func name() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBufferPointer { storage -> String in
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            guard let base = storage.baseAddress, getpwuid_r(geteuid(), &entry, base, storage.count, &found) == 0, found != nil,
                let name = entry.pw_name
            else { return "root" }
            return String(cString: name)
        }
    }

    /// This process's group name, by the reentrant lookup (see ``name()``).
    static func group() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBufferPointer { storage -> String in
            var entry = Glibc.group()
            var found: UnsafeMutablePointer<Glibc.group>?
            guard let base = storage.baseAddress, getgrgid_r(getegid(), &entry, base, storage.count, &found) == 0, found != nil,
                let name = entry.gr_name
            else { return "root" }
            return String(cString: name)
        }
    }
}
