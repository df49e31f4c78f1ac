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
///
/// A digest of what quiet hours held lists what is still open first, then counts and names what
/// fired and resolved inside the window (a problem and its recovery, both held), texted neither:
///
/// `+4 held in quiet hours since 23:00: web01/HTTP WARNING, db1 UNREACHABLE; 1 fired and resolved overnight: web02/disk`
public struct DigestComposer: Sendable {
    public var renderer: MessageRenderer

    /// Ranks of problems (``HeldEntry/rank``: critical 0 … no severity 4) and of a recovery.
    static let problemRanks = 4
    static let recoveryRank = 6

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
        var named: [(label: String, status: String?, rank: Int, fired: Bool, latest: Int)] = []
        for entry in entries {
            guard let label = entry.label else { continue }
            let rank = entry.rank ?? 5
            if let index = named.firstIndex(where: { $0.label == label }) {
                named[index].status = entry.status ?? named[index].status
                named[index].rank = min(named[index].rank, rank)
                named[index].fired = named[index].fired || rank <= Self.problemRanks
                named[index].latest = rank
            } else {
                named.append((label, entry.status, rank, rank <= Self.problemRanks, rank))
            }
        }
        // Quiet hours: what fired and resolved inside the window is counted and named, after
        // what is still firing (or otherwise open).
        let quiet = entries.contains { $0.reason == .quietHours }
        let resolved = quiet ? named.filter { $0.fired && $0.latest == Self.recoveryRank }.map(\.label) : []
        // Stable: equal ranks keep the order they were first held in.
        let subjects = named.enumerated().filter { !resolved.contains($0.element.label) }
            .sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }
            .map { item in item.element.status.map { "\(item.element.label) \($0)" } ?? item.element.label }
        let opening = quiet ? "+\(entries.count) held in quiet hours\(since)" : header
        func text(listing listed: Int) -> String {
            var names = Array(subjects.prefix(listed))
            if listed < subjects.count { names.append("+\(subjects.count - listed) more") }
            var text = opening + (names.isEmpty ? "" : (quiet ? ": " : "; ") + names.joined(separator: ", "))
            if !resolved.isEmpty {
                let shown = max(0, listed - subjects.count)
                var overnight = Array(resolved.prefix(shown))
                if shown > 0 && shown < resolved.count { overnight.append("+\(resolved.count - shown) more") }
                text += "; \(resolved.count) fired and resolved overnight" + (overnight.isEmpty ? "" : ": " + overnight.joined(separator: ", "))
            }
            return text
        }
        var listed = subjects.count + resolved.count
        while listed > 0 && !renderer.budget.fits(SMSMessage(renderer.encoding.apply(to: text(listing: listed)).text)) {
            listed -= 1
        }
        var rendered = renderer.render(text: text(listing: listed))
        rendered.template = "digest (built-in)"
        return rendered
    }
}
