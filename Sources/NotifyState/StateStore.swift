/// The persistent state every process shares: the decisions taken (deduplication, rate
/// limits, digests) and the outbox of what is still to be sent.
///
/// One protocol, so a second backend (PostgreSQL, for several `serve` replicas) can follow the
/// embedded SQLite one (``SQLiteStateStore``). The policy runs inside ``write(_:)``: a
/// transaction that excludes every other writer, so that of hundreds of concurrent processes
/// for one alert exactly one decides to send it.
public protocol StateStore: Sendable {
    /// Where the state lives, for messages (a file path, a connection name).
    var location: String { get }

    /// Runs `body` in one write transaction that excludes every other writer; commits when
    /// `body` returns, rolls back when it throws. Nothing `body` did is visible to other
    /// processes before the commit.
    func write<T>(_ body: (any StateTransaction) throws(StateError) -> T) throws(StateError) -> T

    /// Runs `body` on a consistent read-only view.
    func read<T>(_ body: (any StateReader) throws(StateError) -> T) throws(StateError) -> T

    /// A number that differs from the one an earlier call returned whenever anything was
    /// committed to the store since, by any process; nil when the backend cannot tell
    /// cheaply. What is read while it stays the same is still true: `serve` answers a
    /// repeated webhook from memory until it changes.
    func commitVersion() throws(StateError) -> Int64?

    /// Proves the store can be written now: takes the writers' lock, writes `value` under
    /// `key` (``StateTransaction/setValue(_:for:)``) in one transaction, and commits it
    /// (`keep`: `serve`'s heartbeat) or rolls it back, so that nothing changes (`check`).
    func probeWrite(_ value: String, for key: String, keep: Bool) throws(StateError)
}

extension StateStore {
    public func commitVersion() throws(StateError) -> Int64? { nil }
}

extension StateReader {
    /// ``limitedSends(to:since:urgentOnly:)`` of every message.
    public func limitedSends(to recipient: String?, since: Timestamp) throws(StateError) -> [Timestamp] {
        try limitedSends(to: recipient, since: since, urgentOnly: false)
    }
}

/// Queries that need no write lock: the facts the policy decides on, and what `status` shows.
public protocol StateReader {
    /// What `status` shows, as of `now`: `latest` decisions, counts over each of `windows`.
    func statusSnapshot(now: Timestamp, windows: [Duration], latest: Int) throws(StateError) -> StatusSnapshot

    /// When the deliveries that count toward rate limits (``DeliveryState/countedTowardLimits``)
    /// were decided, oldest first: to `recipient`, or to anyone when nil; since `since`;
    /// `urgentOnly`: only those of urgent messages (``NewMessage/urgent``).
    func limitedSends(to recipient: String?, since: Timestamp, urgentOnly: Bool) throws(StateError) -> [Timestamp]

    /// How many such deliveries there were to anyone since each of `cutoffs` (one query).
    func limitedSendCounts(since cutoffs: [Timestamp]) throws(StateError) -> [Int]

    /// The earlier delivery to `recipient` that an alert with this key and status duplicates:
    /// one in a ``DeliveryState/coveringDuplicates`` state, decided since `since`, with no
    /// later delivery about the same `subject` in another status.
    func duplicateOf(recipient: String, dedupKey: String, status: String?, subject: String?, since: Timestamp)
        throws(StateError) -> DeliveryRecord?

    /// The latest delivery to `recipient` about `subject` that was not itself a duplicate.
    func latestDecision(recipient: String, subject: String) throws(StateError) -> DeliveryRecord?

    /// `recipient`'s held deliveries, oldest first.
    func heldEntries(of recipient: String) throws(StateError) -> [HeldEntry]

    /// Every recipient with held deliveries.
    func recipientsWithHeldEntries() throws(StateError) -> [String]

    /// Which of these alert instances (see `Notification.alertInstances`) were resolved.
    func resolvedInstances(among instances: [String]) throws(StateError) -> Set<String>

    /// The receipts of the deliveries sent since `since`, by state; `staleBefore`: how many of
    /// those still `accepted` were sent before it.
    func receiptSummary(sentSince since: Timestamp, staleBefore: Timestamp) throws(StateError) -> ReceiptSummary

    /// `recipient`'s pages not resolved, or resolved since `resolvedSince`, newest first (at
    /// most 200): its open alerts, and the codes it may not be given again yet.
    func pages(of recipient: String, resolvedSince: Timestamp) throws(StateError) -> [Page]

    /// The open pages (not resolved) about `subject`, to anyone.
    func openPages(about subject: String) throws(StateError) -> [Page]

    /// The pages not resolved whose code is `code`, to anyone (at most 500): what an `on_call`
    /// number's `ACK 4F` may act on.
    func openPages(code: String) throws(StateError) -> [Page]

    /// The pages acknowledged with an Alertmanager silence that lasts beyond `time`, not
    /// resolved (at most 500): the alerts whose recovery is looked for.
    func silencedPages(at time: Timestamp) throws(StateError) -> [Page]

    /// The escalations not stopped (acked or resolved), at most `limit`: those with a step to
    /// come first, soonest first, then the exhausted ones (which only wait for an ack or a
    /// recovery), so that a pile of these never hides a step due.
    func activeEscalations(limit: Int) throws(StateError) -> [Escalation]

    /// The escalation of `subject` that is not stopped, if any.
    func activeEscalation(about subject: String) throws(StateError) -> Escalation?

    /// The latest delivery (not a duplicate) to each of `recipients` about one of `subjects`,
    /// decided since `since`; none for a recipient that had none. What an escalation reads the
    /// receipts of its current step from.
    func latestDeliveries(to recipients: [String], about subjects: [String], since: Timestamp) throws(StateError) -> [DeliveryRecord]

    /// The tracked deliveries SMSPartner gave this `message_id` (one per number of its request).
    func trackedDeliveries(providerMessageID: String) throws(StateError) -> [ReceiptCheck]

    /// When the oldest delivery decided after `time` (any time when nil) that did not go out
    /// was decided: one still queued, failed or expired; nil when every one went out. What
    /// `check` measures the last success against: no traffic is not a failure.
    func firstUnsentDecision(after time: Timestamp?) throws(StateError) -> Timestamp?

    /// The last heartbeat of every Alertmanager cluster heard from, by cluster.
    func heartbeats() throws(StateError) -> [Heartbeat]

    /// Where the check `name` wrapped by `run` stands; nil when it never ran (or was pruned).
    func checkRun(named name: String) throws(StateError) -> CheckRun?
}

/// What the policy and the outbox do inside one write transaction.
public protocol StateTransaction: StateReader {
    // MARK: Recording decisions

    /// Stores a message; its id.
    func insert(_ message: NewMessage, at time: Timestamp) throws(StateError) -> Int64

    /// Stores a decision about one recipient; its id.
    func insert(_ delivery: NewDelivery, at time: Timestamp) throws(StateError) -> Int64

    /// Marks held deliveries as counted into the digest delivery `digest`.
    func markDigested(_ ids: [Int64], into digest: Int64, at time: Timestamp) throws(StateError)

    /// Marks held deliveries expired: their digest would come too late (quiet hours that ended
    /// longer than `max_age` ago, while nothing flushed).
    func expireHeld(_ ids: [Int64], at time: Timestamp) throws(StateError)

    // MARK: The outbox

    /// Expires queued deliveries decided before `cutoff` (they are never sent late); how many.
    func expireQueued(decidedBefore cutoff: Timestamp, at time: Timestamp) throws(StateError) -> Int

    /// Hands back to the queue the deliveries whose senders' leases ran out (a sender that
    /// was killed or hung); how many.
    func releaseExpiredLeases(at time: Timestamp) throws(StateError) -> Int

    /// Claims up to `limit` due pending deliveries for `owner` until `leaseUntil`, with the
    /// pending deliveries of the same recipients decided before them (due or not): they are
    /// ``DeliveryState/sending`` when this returns, in the order they were decided.
    func claimDue(limit: Int, owner: String, leaseUntil: Timestamp, at time: Timestamp) throws(StateError) -> [ClaimedDelivery]

    /// Claims, like ``claimDue(limit:owner:leaseUntil:at:)``, `recipient`'s pending deliveries
    /// decided before the delivery `id`, due or not, oldest first: a `send` delivers them before
    /// its own, in event order.
    func claimEarlier(of recipient: String, before id: Int64, owner: String, leaseUntil: Timestamp, at time: Timestamp)
        throws(StateError) -> [ClaimedDelivery]

    /// Records the outcome of `owner`'s attempt at the deliveries `ids` (one request's
    /// recipients, nb_sms and cost shared evenly). A success is recorded whatever happened
    /// meanwhile; a failure only where `owner` still holds the claim.
    func record(_ outcome: DeliveryOutcome, for ids: [Int64], owner: String, at time: Timestamp) throws(StateError)

    /// Deletes finished deliveries (and their messages) decided before `cutoff`, and the
    /// heartbeats of clusters not heard from since, and the checks of `run` not run for 400 days
    /// more; how many deliveries.
    func prune(decidedBefore cutoff: Timestamp) throws(StateError) -> Int

    /// Remembers alert instances as resolved (kept as long as finished deliveries).
    func recordResolved(_ instances: [String], at time: Timestamp) throws(StateError)

    // MARK: Pages

    /// Opens `page`, or refreshes the page of the same recipient and subject that is not
    /// resolved (its code, text and target; an acknowledgement stands); its id.
    func open(_ page: NewPage, at time: Timestamp) throws(StateError) -> Int64

    /// Marks the unresolved pages about `subject` resolved; how many.
    func resolvePages(about subject: String, at time: Timestamp) throws(StateError) -> Int

    /// Marks the page `id` acknowledged by `author`, unless it is already; whether it was not.
    func acknowledgePage(_ id: Int64, by author: String, at time: Timestamp) throws(StateError) -> Bool

    /// Marks the unresolved pages about `subject` acknowledged by `author` (`number`: the one
    /// that replied), with the silence the acknowledgement made, unless acknowledged already;
    /// how many. A silence is recorded on each, acknowledged before or not.
    func acknowledgePages(about subject: String, by author: String, number: String?, silence: (id: String, until: Timestamp)?,
                          at time: Timestamp) throws(StateError) -> Int

    // MARK: Replies

    /// Records a reply received; its id, or nil when one with the same `messageID` was
    /// recorded since `since` (SMSPartner repeated its callback) and acted on, or is being acted
    /// on (less than 30 s ago, no outcome yet). One whose outcome starts with `failed`, or that
    /// was abandoned (no outcome after 30 s), does not make a repeat: a retry may succeed.
    func recordReply(_ reply: NewReply, repeatedSince since: Timestamp, at time: Timestamp) throws(StateError) -> Int64?

    /// What was done about the reply `id`, in a few words.
    func setReplyOutcome(_ id: Int64, _ outcome: String) throws(StateError)

    // MARK: Escalations

    /// Stores a new escalation (its `id` is ignored; at most one active per subject); its id.
    func insert(_ escalation: Escalation, at time: Timestamp) throws(StateError) -> Int64

    /// Stores what changed in the escalation `escalation.id`: its step, round, times, who it
    /// paged, and its stop.
    func update(_ escalation: Escalation, at time: Timestamp) throws(StateError)

    // MARK: Receipts

    /// Starts tracking the receipts of the sent deliveries `ids`: `accepted` as of `time`,
    /// first looked at `dueAt`.
    func trackReceipts(for ids: [Int64], dueAt: Timestamp, at time: Timestamp) throws(StateError)

    /// Claims up to `limit` tracked deliveries whose next look is due, oldest due first, and
    /// moves that look to `until`: a concurrent poller skips them, and a poller that dies
    /// leaves them due again then.
    func claimDueReceipts(limit: Int, until: Timestamp, at time: Timestamp) throws(StateError) -> [ReceiptCheck]

    /// Records a look at a tracked delivery. A final state is kept: a later report changes
    /// nothing. Returns the delivery as it was when the state changed, nil when it did not.
    func recordReceipt(_ update: ReceiptUpdate, at time: Timestamp) throws(StateError) -> ReceiptCheck?

    // MARK: Checks of `run`

    /// Stores where the check `check.name` stands, replacing what was.
    func save(_ check: CheckRun) throws(StateError)

    // MARK: Heartbeats

    /// Records a firing heartbeat of `cluster` (its Alertmanager's `externalURL`) at `time`;
    /// a cluster not heard from before starts being tracked.
    func recordHeartbeat(cluster: String, at time: Timestamp) throws(StateError)

    /// Records that the silence of `cluster` was texted at `time` (``Heartbeat/alarmAt``).
    func markSilent(cluster: String, at time: Timestamp) throws(StateError)

    /// Records that the return of `cluster` was texted at `time`: it is heard again.
    func markRestored(cluster: String, at time: Timestamp) throws(StateError)

    /// A small value kept by name (the time of the last prune…).
    func value(_ key: String) throws(StateError) -> String?
    func setValue(_ value: String, for key: String) throws(StateError)
}
