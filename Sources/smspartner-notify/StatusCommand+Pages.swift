import NotifyState
import SMSText

/// What `status` shows of two-way paging: the alerts open to a reply, with their codes.
extension StatusCommand {
    /// `open pages:` and one line each (`  4F +33600000000 web01/HTTP since 14:02, acked by alice
    /// at 14:05`, or `…, escalation default step 1/2, next at 14:12`); none when there is no open
    /// page.
    static func pageLines(_ snapshot: StatusSnapshot) -> [String] {
        guard !snapshot.pages.isEmpty else { return [] }
        var lines = ["open pages:"]
        for page in snapshot.pages {
            var line = "  \(page.code) \(page.recipient) \(page.name.displayEscaped) since \(page.openedAt.localDateTime)"
            if let acked = page.ackedAt { line += ", acked by \((page.ackedBy ?? "?").displayEscaped) at \(acked.localDateTime)" }
            if let escalation = snapshot.escalations.first(where: { $0.subject == page.subject }) {
                line += ", escalation \(escalation.policy.displayEscaped) step \(escalation.step + 1)/\(escalation.steps)"
                if escalation.round > 0 { line += " round \(escalation.round + 1)" }
                line += escalation.nextAt.map { ", next at \($0.localDateTime)" } ?? ", no step left"
            }
            lines.append(line.count > 200 ? String(line.prefix(199)) + "…" : line)
        }
        return lines
    }
}

/// `status --json`: one open page.
struct PageDocument: Encodable {
    var code: String
    var recipient: String
    var subject: String
    /// What the alert is about in a few words (`web01/HTTP`, `HostDown web01`).
    var name: String
    var source: String
    var opened_at: String
    var acked_at: String?
    var acked_by: String?
    /// The escalation of its alert, when one runs.
    var escalation: EscalationDocument?

    /// `status --json`: where an open page's escalation stands.
    struct EscalationDocument: Encodable {
        var policy: String
        /// The step fired last, from 1.
        var step: Int
        var steps: Int
        /// The round, from 1.
        var round: Int
        /// When the next step fires; absent when none is left.
        var next_at: String?
    }

    init(_ page: Page, escalations: [Escalation] = []) {
        escalation = escalations.first { $0.subject == page.subject }.map {
            EscalationDocument(policy: $0.policy, step: $0.step + 1, steps: $0.steps, round: $0.round + 1, next_at: $0.nextAt?.iso8601)
        }
        code = page.code
        recipient = page.recipient
        subject = page.subject
        name = page.name
        source = page.source
        opened_at = page.openedAt.iso8601
        acked_at = page.ackedAt?.iso8601
        acked_by = page.ackedBy
    }
}
