import SMSText

/// Standard output, for people and parsers: one line per call, every control character,
/// line separator and bidi override in it escaped (``DisplayEscaping``), so that no alert input
/// (a host name, an output, a phone number) can forge a line or send the terminal an escape
/// sequence.
enum Console {
    /// Writes `text` as one line.
    static func line(_ text: String) {
        print(text.displayEscaped)
    }
}
