import NotifyState
import SMSPartner
import Synchronization

/// Puts the parts of a long SMS reply back together: SMSPartner posts each part on its own,
/// with the same `concat-ref`. Held in memory, bounded: at most ``maxPending`` replies waiting
/// for parts, each for at most ``maxAge`` and ``ReplyCallback/maxTextCharacters`` characters;
/// past that the oldest is given up (the command is in the first words, which a reply's first
/// part carries, so a lost tail costs at most a comment).
final class ReplyAssembler: Sendable {
    static let maxPending = 64
    static let maxAge = Duration.seconds(600)

    private struct Pending {
        var first: ReplyCallback
        var parts: [Int: String]
        var total: Int
        var since: Timestamp
    }

    private let pending = Mutex<[String: Pending]>([:])

    /// The whole reply when `part` completes it (or is not a part), else nil (kept for later).
    func add(_ part: ReplyCallback, at time: Timestamp) -> ReplyCallback? {
        guard let concat = part.concat, concat.total > 1 else { return part }
        let key = part.from + "\u{1F}" + concat.ref
        return pending.withLock { (pending: inout [String: Pending]) -> ReplyCallback? in
            pending = pending.filter { time - $0.value.since < Self.maxAge }
            var entry = pending[key] ?? Pending(first: part, parts: [:], total: concat.total, since: time)
            if concat.part == 1 { entry.first = part }
            let held = entry.parts.values.reduce(0) { $0 + $1.count }
            if entry.parts[concat.part] == nil {
                entry.parts[concat.part] = String(part.text.prefix(max(0, ReplyCallback.maxTextCharacters - held)))
            }
            guard entry.parts.count >= entry.total else {
                if pending[key] == nil, pending.count >= Self.maxPending,
                   let oldest = pending.min(by: { $0.value.since < $1.value.since })?.key {
                    pending[oldest] = nil
                }
                pending[key] = entry
                return nil
            }
            pending[key] = nil
            var whole = entry.first
            whole.text = (1...entry.total).compactMap { entry.parts[$0] }.joined()
            whole.concat = nil
            whole.messageID = whole.messageID ?? concat.ref
            whole.isStop = whole.isStop || ReplyCallback.isStopText(whole.text)
            return whole
        }
    }
}
