import NotifyState
import SMSText

/// The dead man's switch of `serve` (`deadman:`): Alertmanager's always-firing Watchdog alert
/// is a heartbeat, recorded per cluster (its `externalURL`) and never texted; when a cluster
/// has sent none for `deadman.timeout`, `deadman.to` is texted once, and once more when it is
/// heard again.
///
/// - ``heard(_:)`` records heartbeats, and texts the return of a cluster whose silence was
///   texted, in one write transaction;
/// - ``judge()`` texts the silence of each cluster not heard for the timeout, in one write
///   transaction that looks again at what it decides on, so that of two `serve` processes on
///   one store, one texts. `serve`'s worker calls it every round.
///
/// A cluster is silent when `now - max(last heartbeat, start of this process) >= timeout`: a
/// server that was down (and missed the heartbeats) waits a whole timeout before it judges.
/// The SMS goes through the outbox (committed before it is sent, retried, expired past
/// `max_age`), without rate limits nor caps, but not twice within `dedup_window` (dedup key
/// `deadman:<cluster>`, status `silent` or `back`). With nobody in `deadman.to`, heartbeats are
/// recorded and shown, and nothing is texted.
public struct DeadmanSwitch: Sendable {
    public var settings: DeadmanSettings
    /// The outbox whose store, clock, tag and dedup window it uses.
    public var outbox: Outbox
    /// When this process started.
    public var startedAt: Timestamp

    /// The most clusters tracked: a heartbeat of a new one beyond is ignored, so that a
    /// client cannot grow the table.
    public static let maxClusters = 100
    /// The most characters of an `externalURL` kept as the cluster's name.
    public static let maxClusterLength = 200
    /// The cluster's name when the payload has no `externalURL`.
    public static let unnamedCluster = "(no externalURL)"

    public init(settings: DeadmanSettings, outbox: Outbox, startedAt: Timestamp) {
        self.settings = settings
        self.outbox = outbox
        self.startedAt = startedAt
    }

    /// The cluster an Alertmanager payload's `externalURL` names.
    public static func cluster(externalURL: String?) -> String {
        guard let url = externalURL, !url.isEmpty else { return unnamedCluster }
        return String(url.prefix(maxClusterLength))
    }

    /// Records a firing heartbeat of each of `clusters` now; texts the return of those whose
    /// silence was texted.
    public func heard(_ clusters: [String]) throws(StateError) -> DeadmanReport {
        let time = outbox.now()
        var unique: [String] = []
        for cluster in clusters where !unique.contains(cluster) { unique.append(cluster) }
        return try outbox.store.write { (tx) throws(StateError) -> DeadmanReport in
            var report = DeadmanReport()
            var known: [String: Heartbeat] = [:]
            for heartbeat in try tx.heartbeats() { known[heartbeat.cluster] = heartbeat }
            for cluster in unique {
                let previous = known[cluster]
                guard previous != nil || known.count < Self.maxClusters else {
                    report.ignored.append(cluster)
                    continue
                }
                try tx.recordHeartbeat(cluster: cluster, at: time)
                report.recorded.append(cluster)
                known[cluster] = Heartbeat(cluster: cluster, lastSeen: max(time, previous?.lastSeen ?? time))
                guard let previous, previous.alarmAt != nil else { continue }
                let text = DeadmanText.back(cluster: cluster, alertname: alertname, now: time, silentSince: previous.lastSeen)
                let decisions = try queue(text, about: cluster, change: .back, in: tx, at: time)
                try tx.markRestored(cluster: cluster, at: time)
                known[cluster]?.restoredAt = time
                report.events.append(DeadmanEvent(cluster: cluster, change: .back, text: text, decisions: decisions))
            }
            count(Array(known.values), into: &report, at: time)
            return report
        }
    }

    /// Texts the silence of each cluster not heard for the timeout and not texted yet.
    public func judge() throws(StateError) -> DeadmanReport {
        let time = outbox.now()
        var report = DeadmanReport()
        // A read first: the write lock only when there is something to text.
        let heartbeats = try outbox.store.read { (reader) throws(StateError) in try reader.heartbeats() }
        count(heartbeats, into: &report, at: time)
        guard !settings.to.isEmpty, heartbeats.contains(where: { isDue($0, at: time) }) else { return report }
        report.events = try outbox.store.write { (tx) throws(StateError) -> [DeadmanEvent] in
            var events: [DeadmanEvent] = []
            // Looked at again under the lock: another process may have texted it meanwhile.
            for heartbeat in try tx.heartbeats() where isDue(heartbeat, at: time) {
                let text = DeadmanText.silent(cluster: heartbeat.cluster, lastSeen: heartbeat.lastSeen, timeout: settings.timeout,
                                              alertname: alertname, now: time)
                let decisions = try queue(text, about: heartbeat.cluster, change: .silent, in: tx, at: time)
                try tx.markSilent(cluster: heartbeat.cluster, at: time)
                events.append(DeadmanEvent(cluster: heartbeat.cluster, change: .silent, text: text, decisions: decisions))
            }
            return events
        }
        return report
    }

    /// Whether `heartbeat`'s cluster is silent as this process judges it: not heard for the
    /// timeout, counted from this process's start at the earliest.
    public func isSilent(_ heartbeat: Heartbeat, at time: Timestamp) -> Bool {
        time - max(heartbeat.lastSeen, startedAt) >= settings.timeout
    }

    /// Whether its silence is to be texted now.
    func isDue(_ heartbeat: Heartbeat, at time: Timestamp) -> Bool {
        heartbeat.alarmAt == nil && isSilent(heartbeat, at: time)
    }

    /// The name the SMS gives the heartbeat.
    var alertname: String { settings.alertnames.first ?? "Watchdog" }

    func count(_ heartbeats: [Heartbeat], into report: inout DeadmanReport, at time: Timestamp) {
        report.clusters = heartbeats.count
        report.silent = heartbeats.count { $0.alarmAt != nil || isSilent($0, at: time) }
    }

    /// Queues `text` for each `deadman.to` number (pending, due now, for the worker), past the
    /// rate limits but not past deduplication; the decisions.
    func queue(_ text: String, about cluster: String, change: DeadmanEvent.Change, in tx: any StateTransaction, at time: Timestamp)
        throws(StateError) -> [(recipient: PhoneNumber, decision: Admission.Decision)]
    {
        let message = Outbox.DirectMessage(
            kind: .deadman, text: text, source: "deadman", typeLabel: change == .silent ? "DEADMAN" : "RESTORED", label: cluster,
            dedupKey: "deadman:" + cluster, status: change.rawValue, detail: "dead man's switch: \(change.rawValue)")
        return try outbox.queue(message, to: settings.to, in: tx, at: time)
    }
}
