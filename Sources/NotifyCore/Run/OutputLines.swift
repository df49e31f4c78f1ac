import AlertModel
import SMSText

/// The line of a command's output an SMS about it quotes.
public enum OutputLines {
    /// The longest line quoted (an SMS has no room for more anyway).
    public static let maxLength = 300

    /// The last meaningful line: the last non-blank line of `stderr`, else of `stdout`;
    /// trimmed, control characters escaped (``DisplayEscaping``), at most ``maxLength``.
    public static func lastLine(stdout: [UInt8], stderr: [UInt8]) -> String? {
        lastLine(of: stderr) ?? lastLine(of: stdout)
    }

    /// A Monitoring Plugin's output: the first line of `stdout`, without its performance
    /// data (what follows `|`); else the last meaningful line of `stderr`.
    public static func pluginLine(stdout: [UInt8], stderr: [UInt8]) -> String? {
        let text = String(decoding: stdout, as: UTF8.self)
        if let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first,
           let line = clean(first.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).first ?? first) {
            return line
        }
        return lastLine(of: stderr)
    }

    static func lastLine(of bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).reversed() {
            if let line = clean(line) { return line }
        }
        return nil
    }

    /// `line` trimmed and escaped, cut to ``maxLength``; nil when blank.
    static func clean(_ line: Substring) -> String? {
        let trimmed = line.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        let escaped = trimmed.displayEscaped
        return escaped.count > maxLength ? String(escaped.prefix(maxLength - 1)) + "…" : escaped
    }
}
