import NotifyCore
import NotifyState
import SMSPartner
import Synchronization

/// Puts the parts of a long SMS reply back together: SMSPartner posts each part on its own,
/// with the same `concat-ref`.
///
/// The command is in a reply's first words, which its first part carries: once the first part
/// has come and reads as a command (`ACK 4F …`, `HELP`, a STOP), the reply is acted on at once,
/// with the parts that came before it, and later parts of it are dropped. A comment may then
/// be cut, never the command: a part lost on the way, or posted to another `serve`, costs no
/// acknowledgement. Otherwise the reply waits for all its parts.
///
/// Held in memory, bounded: at most ``maxPending`` replies waiting for parts (and as many
/// remembered as done), each for at most ``maxAge`` and ``ReplyCallback/maxTextCharacters``
/// characters; past that the oldest is given up.
final class ReplyAssembler: Sendable {
    static let maxPending = 64
    static let maxAge = Duration.seconds(600)

    private struct Pending {
        var first: ReplyCallback?
        var parts: [Int: String]
        var total: Int
        var since: Timestamp
    }

    private struct State {
        var pending: [String: Pending] = [:]
        /// Replies acted on before their last part came: their later parts are dropped.
        var done: [String: Timestamp] = [:]
    }

    private let state = Mutex(State())

    /// The reply to act on when `part` completes it, or carries its command (or is not a
    /// part); else nil (kept for later, or dropped as a part of a reply acted on already).
    func add(_ part: ReplyCallback, at time: Timestamp) -> ReplyCallback? {
        guard let concat = part.concat, concat.total > 1 else { return part }
        let key = part.from + "\u{1F}" + concat.ref
        return state.withLock { (state: inout State) -> ReplyCallback? in
            state.pending = state.pending.filter { time - $0.value.since < Self.maxAge }
            state.done = state.done.filter { time - $0.value < Self.maxAge }
            guard state.done[key] == nil else { return nil }
            var entry = state.pending[key] ?? Pending(parts: [:], total: concat.total, since: time)
            if concat.part == 1 { entry.first = part }
            let held = entry.parts.values.reduce(0) { $0 + $1.count }
            if entry.parts[concat.part] == nil {
                entry.parts[concat.part] = String(part.text.prefix(max(0, ReplyCallback.maxTextCharacters - held)))
            }
            let complete = entry.parts.count >= entry.total
            let actionable = concat.part == 1 && !complete && Self.readsAsCommand(part)
            guard let first = entry.first, complete || actionable else {
                if state.pending[key] == nil { Self.makeRoom(in: &state.pending) }
                state.pending[key] = entry
                return nil
            }
            state.pending[key] = nil
            if !complete {
                if state.done.count >= Self.maxPending, let oldest = state.done.min(by: { $0.value < $1.value })?.key {
                    state.done[oldest] = nil
                }
                state.done[key] = time
            }
            // The parts in order, up to the first missing one.
            var text = ""
            for index in 1...entry.total {
                guard let piece = entry.parts[index] else { break }
                text += piece
            }
            var whole = first
            whole.text = text
            whole.concat = nil
            whole.messageID = whole.messageID ?? concat.ref
            whole.isStop = whole.isStop || ReplyCallback.isStopText(whole.text)
            return whole
        }
    }

    /// Whether a first part says what to do on its own.
    static func readsAsCommand(_ part: ReplyCallback) -> Bool {
        if part.isStop { return true }
        if case .unknown = ReplyCommand.parse(part.text) { return false }
        return true
    }

    private static func makeRoom(in pending: inout [String: Pending]) {
        guard pending.count >= maxPending, let oldest = pending.min(by: { $0.value.since < $1.value.since })?.key else { return }
        pending[oldest] = nil
    }
}
