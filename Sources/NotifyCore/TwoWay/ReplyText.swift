/// The SMS that answer a reply, each at most one GSM-7 SMS (160 characters; names are cut).
public enum ReplyText {
    /// What a number that may act gets for `HELP`, or a reply that reads as nothing.
    public static let help = "Reply ACK <code> to acknowledge an alert (ACK alone: your latest), CLOSE <code> to close it where its source can."

    /// The most characters of an alert's name or a source's words in an answer.
    static let maxNameLength = 60
    static let maxDetailLength = 80

    /// `ACK OK web01/HTTP: acknowledged in Nagios`.
    public static func acknowledged(_ name: String, detail: String) -> String {
        "ACK OK \(cut(name, maxNameLength)): \(cut(detail, maxDetailLength))"
    }

    /// `ACK FAILED web01/HTTP: Nagios is not running…`: nothing changed, the alert stays open.
    public static func failed(_ name: String, reason: String, close: Bool) -> String {
        "\(close ? "CLOSE" : "ACK") FAILED \(cut(name, maxNameLength)): \(cut(reason, maxDetailLength))"
    }

    /// `CLOSE web01/HTTP: Nagios cannot close a problem…`.
    public static func notSupported(_ name: String, detail: String) -> String {
        "CLOSE \(cut(name, maxNameLength)): \(cut(detail, maxDetailLength))"
    }

    /// `CLOSE OK web01/HTTP: closed`.
    public static func closed(_ name: String, detail: String) -> String {
        "CLOSE OK \(cut(name, maxNameLength)): \(cut(detail, maxDetailLength))"
    }

    /// `web01/HTTP was acked already by alice`.
    public static func alreadyAcked(_ name: String, by author: String) -> String {
        "\(cut(name, maxNameLength)) was acked already by \(cut(author, 40))"
    }

    /// `web01/HTTP is resolved already`.
    public static func alreadyResolved(_ name: String) -> String {
        "\(cut(name, maxNameLength)) is resolved already"
    }

    /// `No open alert has code 4F. Reply HELP for help.`
    public static func noSuchCode(_ code: String) -> String {
        "No open alert has code \(cut(code, 4)). Reply HELP for help."
    }

    /// A bare `ACK` from a number with no open alert.
    public static let nothingOpen = "No open alert was sent to you. Reply ACK <code> for another's."

    /// `RESOLVED web01/HTTP (acked by alice)`: a silenced Alertmanager alert that resolved.
    public static func resolved(_ name: String, ackedBy author: String?) -> String {
        "RESOLVED \(cut(name, maxNameLength))" + (author.map { " (acked by \(cut($0, 40)))" } ?? "")
    }

    /// `text` on one line (newlines and tabs as spaces), at most `limit` characters, a cut one
    /// ending in `...` (GSM-7: `…` would make the whole SMS UCS-2). The escalation's notices
    /// use it too.
    static func cut(_ text: String, _ limit: Int) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 3)) + "..."
    }
}
