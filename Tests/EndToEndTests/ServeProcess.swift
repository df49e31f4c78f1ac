import Foundation
import SMSPartner
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smspartner-notify serve` as a child process on a free loopback port, with its own state,
/// stopped by the test (SIGTERM) or killed when the test ends.
final class ServeProcess: Sendable {
    let process: Process
    let port: Int
    let stderrPath: String
    let scratch: TemporaryDirectory

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts it and waits for its `listening on` line. `wrapper` runs the binary through
    /// another program that ends by executing it (`prlimit`), so the process is still serve's.
    init(arguments: [String] = [], env: [String: String], wrapper: [String] = []) async throws {
        scratch = try TemporaryDirectory()
        stderrPath = scratch.path("stderr")
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let stdout = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? CLI.binaryPath)
        process.arguments = Array(wrapper.dropFirst()) + (wrapper.isEmpty ? [] : [CLI.binaryPath])
            + ["serve", "--listen", "127.0.0.1:0"] + arguments
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": scratch.root, "SMSPARTNER_STATE_DIR": scratch.path("state"),
        ].merging(env) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        let reading = stdout.fileHandleForReading
        // The first line, read on a thread of its own (a blocking read).
        let line = try await OwnThread.run {
            var bytes: [UInt8] = []
            while true {
                let chunk = reading.readData(ofLength: 1)
                guard let byte = chunk.first, byte != 0x0A else { break }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard line.hasPrefix("listening on "), let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw CLIError.timedOut(arguments: ["serve"], after: .zero, killedAfter: .zero, stdout: line, stderr: stderr)
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        scratch.remove()
    }

    var stateDir: String { scratch.path("state") }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (at most `timeout`) for the exit; the exit status, nil if it had to be killed.
    func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32? {
        let pid = process.processIdentifier
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && Self.state(of: pid) != "Z" && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning && Self.state(of: pid) == "Z" {
            // It exited; Foundation, which reaps it, has not seen it yet (its thread is slow to
            // run on a loaded machine): waited for, not killed.
            let process = process
            _ = try? await OwnThread.run { process.waitUntilExit() }
        }
        guard !process.isRunning else {
            print("[serve] still running \(timeout) after signal \(signal), killed; the end of its log:\n\(stderr.suffix(6000))")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// The state of process `pid` as `/proc/PID/stat` gives it (`R`, `S`, `T` stopped, `Z`
    /// exited and not yet reaped…); nil when there is no such process.
    static func state(of pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }

    /// One request through the real libcurl client, on a thread of its own.
    func request(_ method: HTTPRequest.Method, _ path: String, body: [UInt8] = [], headers: [String] = []) async throws -> HTTPResponse {
        try await Self.request(HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
    }

    func post(_ path: String, _ body: Data, headers: [String] = []) async throws -> HTTPResponse {
        try await request(.post, path, body: [UInt8](body), headers: ["Content-Type: application/json"] + headers)
    }

    static func request(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await OwnThread.run { try CurlHTTPClient(userAgent: "e2e").perform(request) }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; whether it held.
    static func eventually(_ timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
