import AlertModel
import SMSText

/// Turns an alert into one SMS within a segment budget, essentials first:
/// type, host, service and state, then the output.
///
/// - `PROBLEM web01/HTTP CRITICAL: Connection refused`
/// - `RECOVERY db1 UP: PING OK - rta 0.4 ms`
/// - generic alerts: the summary, then the details on the next line.
public struct MessageRenderer: Sendable {
    public var budget: SMSBudget

    public init(maxSegments: Int = 1) {
        self.budget = SMSBudget(maxSegments: maxSegments)
    }

    /// Renders with the default template for the alert's kind.
    public func render(_ alert: Alert) -> RenderedMessage {
        let (text, template) = Self.defaultText(for: alert)
        return fit(text, template: template)
    }

    /// Renders a text given as is (`--message`).
    public func render(text: String) -> RenderedMessage {
        fit(text, template: "--message")
    }

    /// Cuts the text to the budget after trimming surrounding whitespace (an all-blank text
    /// renders empty, which callers refuse to send).
    func fit(_ text: String, template: String) -> RenderedMessage {
        let (message, truncated) = budget.truncate(SMSMessage(text.trimmingWhitespace()))
        return RenderedMessage(message: message, measurement: message.measure(), truncated: truncated, template: template)
    }

    /// The default template's text and name.
    static func defaultText(for alert: Alert) -> (text: String, template: String) {
        switch alert.source {
        case .generic where alert.host == nil && alert.service == nil:
            let text = [alert.summary, alert.details].compactMap { $0 }.joined(separator: "\n")
            return (text, "default/generic")
        default:
            let isService = alert.service != nil
            let target = isService ? [alert.host, alert.service].compactMap { $0 }.joined(separator: "/") : alert.host
            let state = isService ? alert.serviceState : alert.hostState
            let head = [alert.notificationType, target, state]
                .compactMap { $0 }
                .filter { !$0.isEmpty }
                .joined(separator: " ")
            let body = alert.output ?? alert.summary
            let text: String
            switch (head.isEmpty, body?.isEmpty ?? true) {
            case (false, false): text = head + ": " + (body ?? "")
            case (false, true): text = head
            case (true, _): text = body ?? ""
            }
            return (text, "default/\(alert.source.rawValue)-\(isService ? "service" : "host")")
        }
    }
}
