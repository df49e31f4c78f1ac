import NotifyCore
import SMSText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output, for people and parsers: one line per call, every control character,
/// line separator and bidi override in it escaped (``DisplayEscaping``), so that no alert input
/// (a host name, an output, a phone number) can forge a line or send the terminal an escape
/// sequence.
enum Console {
    /// Writes `text` as one line.
    static func line(_ text: String) {
        print(text.displayEscaped)
    }

    /// Writes `smspartner-notify: <text>` as one line on standard error, unbuffered: a warning,
    /// or the one line of a failure.
    static func warning(_ text: String) {
        var bytes = Array("\(ToolVersion.name): \(text.displayEscaped)\n".utf8)
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break }
            bytes.removeFirst(written)
        }
    }
}
