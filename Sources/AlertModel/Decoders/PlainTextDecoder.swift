/// Decodes plain text (a shell health check's message): the first non-empty line is the
/// summary, the rest are details.
public enum PlainTextDecoder {
    /// The alert, or nil when the text has nothing but whitespace.
    public static func decode(_ text: String) -> Alert? {
        guard let (first, rest) = firstLineAndRest(text) else { return nil }
        return Alert(source: .generic, summary: first, details: rest)
    }

    /// The first non-blank line (trimmed), and the lines after it with trailing whitespace
    /// and blank lines at the end removed (nil when none are left); nil for a blank text.
    static func firstLineAndRest(_ text: String) -> (first: String, rest: String?)? {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
            .map { $0.trimmingTrailingWhitespace() }
        // Blank lines at either end are skipped by index: removing them one by one from the
        // front is quadratic, and a megabyte of newlines would hang the decoder.
        guard let start = lines.firstIndex(where: { !$0.isEmpty }),
            let end = lines.lastIndex(where: { !$0.isEmpty })
        else { return nil }
        let rest = lines[(start + 1)..<(end + 1)].joined(separator: "\n")
        return (lines[start].trimmingLeadingWhitespace(), rest.isEmpty ? nil : rest)
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace (Unicode whitespace, newlines included).
    public func trimmingWhitespace() -> String {
        trimmingTrailingWhitespace().trimmingLeadingWhitespace()
    }

    func trimmingTrailingWhitespace() -> String {
        guard let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[...last])
    }

    func trimmingLeadingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...])
    }
}
