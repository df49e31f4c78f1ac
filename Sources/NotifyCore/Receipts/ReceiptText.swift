import NotifyState
import SMSText

/// How a final receipt is worded, for `flush`'s output and `serve`'s log: one line, every
/// input-derived value escaped.
public enum ReceiptText {
    /// `receipt: +33600000001 delivered, 1m12s after sending (PROBLEM db1/disk CRITICAL…)`, or
    /// `receipt: +33600000001 not_delivered: Not delivered, 3m after sending (disk full on db1)`.
    public static func line(_ final: ReceiptFinal) -> String {
        var line = "receipt: \(DisplayEscaping.escaped(final.check.recipient)) \(final.state.rawValue)"
        if final.state != .delivered, let detail = final.detail, !detail.isEmpty {
            line += ": " + DisplayEscaping.escaped(detail.prefix(200))
        }
        line += ", \(DurationText.format(.seconds(max(final.latency, .zero).components.seconds))) after sending"
        if let about = final.check.about, !about.isEmpty {
            line += " (\(DisplayEscaping.escaped(about.prefix(200))))"
        }
        if final.pushed { line += " [pushed]" }
        return line
    }
}
