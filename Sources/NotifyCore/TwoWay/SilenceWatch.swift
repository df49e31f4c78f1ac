import AlertModel
import NotifyState
import SMSText

/// Looks for the recovery of Alertmanager alerts acknowledged with a silence: Alertmanager
/// sends no resolved notification for a silenced alert, so while the silence lasts, each
/// round asks it (`GET /api/v2/alerts`) whether any alert the silence covers is still active.
/// When none is, the alert's pages are resolved (its code is free again after the quiet
/// period, its escalation stops) and each recipient gets `RESOLVED HostDown web01 (acked by
/// alice)`, once. Once the silence has ended, Alertmanager notifies again as usual.
public struct SilenceWatch: Sendable {
    public var settings: TwoWaySettings
    public var outbox: Outbox
    /// The longest one question to Alertmanager takes.
    public var timeout: Duration

    /// The most alerts asked about per round; the others wait for the next.
    public static let maxPerRound = 20

    public init(settings: TwoWaySettings, outbox: Outbox, timeout: Duration) {
        self.settings = settings
        self.outbox = outbox
        self.timeout = timeout
    }

    /// What a round found.
    public struct Report: Sendable, Equatable {
        /// The alerts found resolved, by name.
        public var resolved: [String] = []
        /// Why some could not be asked about (Alertmanager unreachable…).
        public var failures: [String] = []
    }

    /// Asks about each silenced alert; resolves those no longer active.
    public func run() throws(StateError) -> Report {
        var report = Report()
        guard settings.enabled, let alertmanager = settings.alertmanager else { return report }
        let time = outbox.now()
        let pages = try outbox.store.read { (reader) throws(StateError) in try reader.silencedPages(at: time) }
        var subjects: [String] = []
        for page in pages where !subjects.contains(page.subject) { subjects.append(page.subject) }
        let silencer = AlertmanagerSilencer(settings: alertmanager)
        for subject in subjects.prefix(Self.maxPerRound) {
            guard let page = pages.first(where: { $0.subject == subject }),
                  case .alertmanager(let matchers, _)? = page.target.flatMap(AckTarget.init(encoded:)) else { continue }
            switch silencer.firingAlerts(matching: matchers, timeout: timeout) {
            case .failure(let failure):
                report.failures.append("\(page.name): \(failure.reason)")
            case .success(let active) where active == 0:
                try resolve(page, at: outbox.now())
                report.resolved.append(page.name)
            case .success:
                continue
            }
        }
        return report
    }

    func resolve(_ page: Page, at time: Timestamp) throws(StateError) {
        try outbox.store.write { (tx) throws(StateError) in
            // Looked at again under the lock: a resolved notification may have come meanwhile.
            let open = try tx.openPages(about: page.subject)
            guard !open.isEmpty else { return }
            _ = try tx.resolvePages(about: page.subject, at: time)
            let notice = Outbox.DirectMessage(
                kind: .reply, text: ReplyText.resolved(page.name, ackedBy: page.ackedBy), source: "two-way", typeLabel: "RESOLVED",
                label: page.name, dedupKey: "resolved:" + page.subject, status: "resolved", detail: "a silenced alert resolved")
            _ = try outbox.queue(notice, to: open.compactMap { try? PhoneNumber(parsing: $0.recipient) }, in: tx, at: time)
        }
    }
}
