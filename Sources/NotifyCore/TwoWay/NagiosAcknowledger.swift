#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Acknowledges Nagios 4 problems through its external command file (`two_way.nagios.command_file`,
/// Nagios' own `command_file` with `check_external_commands=1`): one line
///
/// ```
/// [1718000000] ACKNOWLEDGE_SVC_PROBLEM;web01;HTTP;2;1;1;alice;ACK on it
/// [1718000000] ACKNOWLEDGE_HOST_PROBLEM;web01;2;1;1;alice;ACK on it
/// ```
///
/// - `sticky=2`: the acknowledgement lasts until the service is OK (the host UP) again, not
///   just until its next change of state: a CRITICAL that wobbles to WARNING and back does not
///   page again the people who already said they are on it.
/// - `notify=1`: Nagios sends its ACKNOWLEDGEMENT notification, which is how the alert's other
///   contacts learn who took it (the replier's own copy is not texted back; issue 21).
/// - `persistent=1`: the acknowledgement's comment survives a restart of Nagios.
///
/// The file is a FIFO that Nagios reads. It is opened `O_WRONLY|O_NONBLOCK` (never created; no
/// call blocks): without a reader that fails with `ENXIO`, retried every 50 ms within `timeout`
/// (a Nagios starting or restarting has it closed), then reported as Nagios not running or
/// `check_external_commands=0`. The line goes in one `write(2)` of at most `PIPE_BUF` (4096)
/// bytes, so it never interleaves with another writer's command; a longer one is refused. A
/// regular file works too (appended to), for tests and spools.
///
/// Host, service, author and comment must not carry `;`, a line break or a control character:
/// one would end the command early, and a newline would start a second command of the writer's
/// choosing. In the author and comment (the replier's words), `;` becomes `,` and every control
/// or line-break character a space; a host or service with one is refused, as it cannot name
/// anything Nagios monitors.
///
/// A successful write does not prove Nagios acted on it: Nagios reads the command later and
/// ignores an unknown host or service, or a problem that is no longer one, without telling the
/// writer (it logs the reason in `nagios.log`). ``AckOutcome/acknowledged(detail:)`` means the
/// command was handed to Nagios.
public struct NagiosAcknowledger: SourceAcknowledger {
    /// Why a command line could not be written.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// `field` (`host`, `service`) is empty, or holds `;` or a control character.
        case unsafeName(field: String)
        /// The line is `bytes` long, over ``NagiosAcknowledger/atomicLimit``.
        case tooLong(bytes: Int)

        public var description: String {
            switch self {
            case .unsafeName(let field):
                "the Nagios \(field) name is empty or holds ';' or a control character: not written"
            case .tooLong(let bytes):
                "the Nagios command is \(bytes) bytes, over the \(NagiosAcknowledger.atomicLimit) written at once: not written"
            }
        }
    }

    /// `2`: until OK (or UP) again.
    public static let sticky = 2
    /// `1`: Nagios notifies the other contacts of the acknowledgement.
    public static let notify = 1
    /// `1`: the comment survives a restart of Nagios.
    public static let persistent = 1
    /// `PIPE_BUF` on Linux: the longest write to a FIFO that is never split or interleaved.
    public static let atomicLimit = 4096
    /// What the confirmation SMS says once the command is written.
    public static let acknowledgedDetail = "acknowledged in Nagios"

    /// The external command file.
    public let commandFile: String

    public init(settings: TwoWaySettings.Nagios) {
        commandFile = settings.commandFile
    }

    /// Writes the acknowledgement of a `.nagios` target to the command file within `timeout`.
    public func acknowledge(_ request: AckRequest, timeout: Duration) -> AckOutcome {
        guard case .nagios(let host, let service) = request.target else {
            return .notSupported(detail: "not a Nagios alert")
        }
        guard !request.close else {
            return .notSupported(detail: "Nagios cannot close a problem: reply ACK to acknowledge it")
        }
        let line: String
        do {
            line = try Self.commandLine(
                host: host, service: service, author: request.author, comment: request.comment, time: Int(time(nil)))
        } catch {
            return .failed(reason: error.description)
        }
        if let reason = Self.write(Array(line.utf8), to: commandFile, within: timeout) {
            return .failed(reason: reason)
        }
        return .acknowledged(detail: Self.acknowledgedDetail)
    }

    /// The command line for `host` (and `service`, nil for a host problem) at `time` (seconds
    /// since the epoch), ending with a newline; author and comment made safe (`;` to `,`,
    /// control characters to spaces, empty to `smspartner-notify` and `ACK`).
    public static func commandLine(
        host: String, service: String?, author: String, comment: String, time: Int
    ) throws(Refusal) -> String {
        guard isSafeName(host) else { throw .unsafeName(field: "host") }
        var target = host
        var command = "ACKNOWLEDGE_HOST_PROBLEM"
        if let service {
            guard isSafeName(service) else { throw .unsafeName(field: "service") }
            target += ";" + service
            command = "ACKNOWLEDGE_SVC_PROBLEM"
        }
        // Never an empty field: strtok-style splitting may drop it and shift the rest, and an
        // acknowledgement should say who and why.
        let safeAuthor = sanitized(author, empty: "smspartner-notify")
        let safeComment = sanitized(comment, empty: "ACK")
        let line = "[\(time)] \(command);\(target);\(sticky);\(notify);\(persistent);\(safeAuthor);\(safeComment)\n"
        let bytes = line.utf8.count
        guard bytes <= atomicLimit else { throw .tooLong(bytes: bytes) }
        return line
    }

    /// Whether `name` can be a field of a command: not empty, no `;`, no control character.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == ";" || isControl($0) }
    }

    /// `text` with `;` as `,`, control and line-break characters as spaces, without surrounding
    /// spaces (Nagios strips them anyway); `empty` if nothing is left.
    static func sanitized(_ text: String, empty: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(scalar == ";" ? "," : isControl(scalar) ? " " : scalar)
        }
        let trimmed = String(scalars).drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        return trimmed.isEmpty ? empty : String(trimmed)
    }

    /// C0, DEL and C1 controls, and the Unicode line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// Writes `bytes` to `path` in one `write(2)` within `timeout`; nil, or why not.
    static func write(_ bytes: [UInt8], to path: String, within timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        var fd: Int32 = -1
        while true {
            fd = open(path, O_WRONLY | O_NONBLOCK | O_APPEND | O_CLOEXEC)
            if fd >= 0 { break }
            let code = errno
            if code == EINTR { continue }
            guard code == ENXIO else { return "cannot open \(path): \(String(cString: strerror(code)))" }
            guard ContinuousClock.now + .milliseconds(50) < deadline else {
                return "Nagios is not running or check_external_commands=0 (nothing reads \(path))"
            }
            Delivery.sleep(.milliseconds(50))  // synchronous, as ``SourceAcknowledger`` is
        }
        defer { close(fd) }
        while true {
            let (written, code) = writeWithoutSIGPIPE(fd: fd, bytes)
            if written == bytes.count { return nil }
            if written >= 0 { return "only \(written) of \(bytes.count) bytes written to \(path)" }
            switch code {
            case EINTR:
                continue
            case EAGAIN:
                // A full FIFO: Nagios is not reading. Wait for room (all the line or nothing).
                let left = deadline - ContinuousClock.now
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                guard left > .zero, poll(&pfd, 1, milliseconds(left)) > 0 else {
                    return "Nagios is not reading its command file \(path): it stayed full"
                }
            case EPIPE:
                return "Nagios is not running or check_external_commands=0 (nothing reads \(path))"
            default:
                return "cannot write to \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// One `write(2)` with SIGPIPE blocked in this thread (a FIFO whose reader left would
    /// otherwise kill the process); a SIGPIPE it raised is taken off again. The count written, or
    /// -1 and `errno`.
    static func writeWithoutSIGPIPE(fd: Int32, _ bytes: [UInt8]) -> (Int, Int32) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var pending = sigset_t()
        sigpending(&pending)
        let alreadyPending = sigismember(&pending, SIGPIPE) == 1
        let written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
        let code = errno
        if written < 0 && code == EPIPE && !alreadyPending {
            var now = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &now)
        }
        return (written, code)
    }

    /// `duration` in whole milliseconds for `poll(2)`, at least 1.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return max(1, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}

/// `write(2)`, named apart from ``NagiosAcknowledger/write(_:to:within:)``.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
