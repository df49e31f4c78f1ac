/// The short notices an escalation sends when it stops.
public enum EscalationText {
    /// The most characters of an alert's label a notice keeps (the notice fits one SMS).
    public static let maxLabel = 100

    /// To everyone paged, when a page was acknowledged: `ACKED web01/HTTP by alice`.
    public static func acked(label: String, by author: String) -> String {
        "ACKED \(short(label)) by \(short(author, 40))"
    }

    /// To the numbers only the escalation paged, when the alert recovered: `RESOLVED web01/HTTP`.
    public static func resolved(label: String) -> String {
        "RESOLVED \(short(label))"
    }

    static func short(_ text: String, _ limit: Int = maxLabel) -> String {
        ReplyText.cut(text, limit)
    }
}
