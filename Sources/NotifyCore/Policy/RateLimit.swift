/// At most ``count`` SMS to one recipient within any ``window``: `5/15m`.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public var count: Int
    public var window: Duration

    public init(count: Int, window: Duration) {
        self.count = count
        self.window = window
    }

    /// Parses `COUNT/DURATION` (`5/15m`, `11/1h`); nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[0].trimmingWhitespace()), (1...100_000).contains(count),
            let window = DurationText.parse(String(parts[1]))
        else { return nil }
        self.init(count: count, window: window)
    }

    /// `5 in 15m`.
    public var description: String { "\(count) in \(DurationText.format(window))" }
}
