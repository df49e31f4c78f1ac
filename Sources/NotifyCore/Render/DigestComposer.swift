import NotifyState
import SMSText

/// The text of a digest: what was held for one recipient, in one SMS within the budget.
///
/// `+7 suppressed since 14:02: 5 PROBLEM, 2 RECOVERY; web01 DOWN, db1/disk CRITICAL, web02/HTTP WARNING, +2 more`
///
/// Types are counted most frequent first. The subjects are listed once each with their latest
/// status, worst first (by the worst each was held with: a host DOWN or a service CRITICAL
/// before a WARNING, problems before acknowledgements, recoveries last; then in the order
/// they were first held), as many as fit, then `+K more`.
public struct DigestComposer: Sendable {
    public var renderer: MessageRenderer

    public init(renderer: MessageRenderer) {
        self.renderer = renderer
    }

    /// The digest for `entries` (oldest first).
    public func compose(_ entries: [HeldEntry]) -> RenderedMessage {
        let since = entries.map(\.createdAt).min().map { " since \($0.localTimeOfDay)" } ?? ""
        var counts: [(label: String, count: Int)] = []
        for entry in entries {
            let label = entry.typeLabel ?? "ALERT"
            if let index = counts.firstIndex(where: { $0.label == label }) {
                counts[index].count += 1
            } else {
                counts.append((label, 1))
            }
        }
        // Stable: equal counts keep the order they first appeared in.
        let ordered = counts.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element)
        let header = "+\(entries.count) suppressed\(since): " + ordered.map { "\($0.count) \($0.label)" }.joined(separator: ", ")
        var named: [(label: String, status: String?, rank: Int)] = []
        for entry in entries {
            guard let label = entry.label else { continue }
            let rank = entry.rank ?? 5
            if let index = named.firstIndex(where: { $0.label == label }) {
                named[index].status = entry.status ?? named[index].status
                named[index].rank = min(named[index].rank, rank)
            } else {
                named.append((label, entry.status, rank))
            }
        }
        // Stable: equal ranks keep the order they were first held in.
        let subjects = named.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map { item in item.element.status.map { "\(item.element.label) \($0)" } ?? item.element.label }
        func text(listing listed: Int) -> String {
            guard !subjects.isEmpty else { return header }
            var names = Array(subjects.prefix(listed))
            if listed < subjects.count { names.append("+\(subjects.count - listed) more") }
            return header + "; " + names.joined(separator: ", ")
        }
        var listed = subjects.count
        while listed > 0 && !renderer.budget.fits(SMSMessage(renderer.encoding.apply(to: text(listing: listed)).text)) {
            listed -= 1
        }
        var rendered = renderer.render(text: text(listing: listed))
        rendered.template = "digest (built-in)"
        return rendered
    }
}
