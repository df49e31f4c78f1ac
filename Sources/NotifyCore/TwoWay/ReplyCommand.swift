import SMSPartner

/// What the text of an SMS reply asks for.
///
/// ``parse(_:)`` reads it case-insensitively, words separated by any whitespace, `:` or `#`,
/// with punctuation around a word ignored:
///
/// | reply | command |
/// |---|---|
/// | `ACK 4F`, `OK 4F`, `4F ACK`, `4f ok`, `ack:4F`, `#4F ack`, `Ack 4F.` | ``ack(code:comment:)`` for `4F` |
/// | `ACK 4F on it, rebooting`, `4F ok - on it` | the same, with the comment `on it, rebooting` / `on it` |
/// | `ACK`, `OK`, `ok!` (nothing after) | ``ack(code:comment:)`` with no code: the latest open alert sent to that number |
/// | `CLOSE 4F`, `RESOLVE 4F`, `4F close fixed` | ``close(code:comment:)``; a code is required |
/// | `HELP` (anything after it ignored) | ``help`` |
/// | a STOP (``ReplyCallback/isStopText(_:)``: first word `STOP`, `ARRET`, `ARRÊT`, `UNSUBSCRIBE`) | ``stop`` |
/// | anything else: `ACK 4O` (not a code), `ACK on it` (a word where the code goes), `CLOSE`, `4F`, `thanks`, an empty text | ``unknown(_:)`` with the text as received |
///
/// The verb and the code are the first two words, in either order; what follows them is the
/// comment, its whitespace runs written as one space, and the separators before it
/// (`,;:-.!#`) dropped; a comment of punctuation alone is none. Codes are read by ``ReplyCode/normalized(_:)``.
public enum ReplyCommand: Sendable, Equatable {
    /// Acknowledge the alert with `code`, or with no code the latest open alert sent to the
    /// number that replied; `comment` is the replier's words after the code, if any.
    case ack(code: String?, comment: String?)
    /// Close (resolve) the alert with `code`, where its source supports it.
    case close(code: String, comment: String?)
    /// Asks how to reply.
    case help
    /// Opts out (``ReplyCallback/isStopText(_:)``): recorded, never answered.
    case stop
    /// A reply that reads as none of the above, as received.
    case unknown(String)

    /// Reads the text of one reply (see the table above). Never traps, whatever the text.
    public static func parse(_ text: String) -> ReplyCommand {
        if ReplyCallback.isStopText(text) { return .stop }
        let words = firstWords(of: text, count: 2)
        guard let first = words.first else { return .unknown(text) }
        if first.value == "HELP" { return .help }
        let second = words.count > 1 ? words[1] : nil
        if let verb = Verb(first.value) {
            guard let second else { return verb == .ack ? .ack(code: nil, comment: nil) : .unknown(text) }
            guard let code = ReplyCode.normalized(second.value) else { return .unknown(text) }
            return verb.command(code: code, comment: comment(of: text, after: second.end))
        }
        if let code = ReplyCode.normalized(first.value), let second, let verb = Verb(second.value) {
            return verb.command(code: code, comment: comment(of: text, after: second.end))
        }
        return .unknown(text)
    }

    /// The verbs, by the words that say them.
    private enum Verb {
        case ack, close

        init?(_ word: String) {
            switch word {
            case "ACK", "OK": self = .ack
            case "CLOSE", "RESOLVE": self = .close
            default: return nil
            }
        }

        func command(code: String, comment: String?) -> ReplyCommand {
            switch self {
            case .ack: .ack(code: code, comment: comment)
            case .close: .close(code: code, comment: comment)
            }
        }
    }

    /// The first `count` words of `text`, upper-cased, each with where it ends in `text`: runs
    /// between whitespace, `:` and `#`, with what is neither a letter nor a digit around them
    /// dropped (runs of punctuation alone are skipped).
    private static func firstWords(of text: String, count: Int) -> [(value: String, end: String.Index)] {
        var words: [(value: String, end: String.Index)] = []
        var index = text.startIndex
        while index < text.endIndex, words.count < count {
            guard !isSeparator(text[index]) else {
                index = text.index(after: index)
                continue
            }
            let start = index
            while index < text.endIndex, !isSeparator(text[index]) { index = text.index(after: index) }
            let run = text[start..<index].drop(while: { !isWordCharacter($0) })
            if let last = run.lastIndex(where: isWordCharacter) {
                words.append((run[...last].uppercased(), text.index(after: last)))
            }
        }
        return words
    }

    /// The words of `text` after `end`, the separators before them dropped, whitespace runs as
    /// one space; nil when there are none, or only punctuation (the quote closing `"ACK 4F"`).
    private static func comment(of text: String, after end: String.Index) -> String? {
        let rest = text[end...].drop(while: { $0.isWhitespace || ",;:-.!#–—".contains($0) })
        let comment = rest.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return comment.contains(where: { !$0.isPunctuation }) ? comment : nil
    }

    private static func isSeparator(_ character: Character) -> Bool {
        character.isWhitespace || character == ":" || character == "#"
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }
}
