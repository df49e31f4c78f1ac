/// One acknowledgement to make at the source: who, why, for how long.
public struct AckRequest: Sendable, Equatable {
    public var target: AckTarget
    /// The replier's name from `two_way.on_call`, else the number.
    public var author: String
    /// Starts with `ACK` (the replier's own words follow, if any).
    public var comment: String
    /// Close rather than acknowledge (`CLOSE 4F`), where the source supports it.
    public var close: Bool

    public init(target: AckTarget, author: String, comment: String, close: Bool = false) {
        self.target = target
        self.author = author
        self.comment = comment
        self.close = close
    }
}
