/// Decodes plain text (a shell health check's message): the first non-empty line is the
/// summary, the rest are details.
public enum PlainTextDecoder {
    /// The alert, or nil when the text has nothing but whitespace.
    public static func decode(_ text: String) -> Alert? {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
            .map { $0.trimmingTrailingWhitespace() }
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        guard let first = lines.first else { return nil }
        let details = lines.dropFirst().joined(separator: "\n")
        return Alert(
            source: .generic,
            summary: first.trimmingLeadingWhitespace(),
            details: details.isEmpty ? nil : details
        )
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
