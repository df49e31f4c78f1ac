import NotifyState
import SMSText

/// What `status` shows of two-way paging: the alerts open to a reply, with their codes.
extension StatusCommand {
    /// `open pages:` and one line each (`  4F +33600000000 web01/HTTP since 14:02, acked by alice
    /// at 14:05`); none when there is no open page.
    static func pageLines(_ snapshot: StatusSnapshot) -> [String] {
        guard !snapshot.pages.isEmpty else { return [] }
        var lines = ["open pages:"]
        for page in snapshot.pages {
            var line = "  \(page.code) \(page.recipient) \(page.subject.displayEscaped) since \(page.openedAt.localDateTime)"
            if let acked = page.ackedAt { line += ", acked by \((page.ackedBy ?? "?").displayEscaped) at \(acked.localDateTime)" }
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
    var source: String
    var opened_at: String
    var acked_at: String?
    var acked_by: String?

    init(_ page: Page) {
        code = page.code
        recipient = page.recipient
        subject = page.subject
        source = page.source
        opened_at = page.openedAt.iso8601
        acked_at = page.ackedAt?.iso8601
        acked_by = page.ackedBy
    }
}
