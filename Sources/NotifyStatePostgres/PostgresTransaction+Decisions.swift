import NotifyState
import PostgresNIO

/// Decisions, the facts the policy decides on, and `status`: `SQLiteTransaction`'s queries in
/// PostgreSQL's dialect.
extension PostgresTransaction {
    static let decisionColumns = "id, message_id, recipient, created_at, updated_at, state, attempts, sent_at, status"
    static let countedStates = DeliveryState.countedTowardLimits.map { "'\($0.rawValue)'" }.joined(separator: ",")
    static let coveringStates = DeliveryState.coveringDuplicates.map { "'\($0.rawValue)'" }.joined(separator: ",")

    // MARK: Facts

    func limitedSends(to recipient: String?, since: Timestamp, urgentOnly: Bool) throws(StateError) -> [Timestamp] {
        let urgent = urgentOnly ? " AND urgent" : ""
        let rows = try rows("""
            SELECT created_at FROM delivery
            WHERE ($1::text IS NULL OR recipient = $1) AND state IN (\(Self.countedStates)) AND created_at >= $2\(urgent)
            ORDER BY created_at
            """, [recipient, since.milliseconds])
        return try decode(rows) { try $0.time("created_at") }
    }

    func limitedSendCounts(since cutoffs: [Timestamp]) throws(StateError) -> [Int] {
        guard let earliest = cutoffs.min() else { return [] }
        let sums = cutoffs.indices.map { "count(*) FILTER (WHERE created_at >= $\($0 + 2)) AS c\($0)" }.joined(separator: ", ")
        let row = try row("""
            SELECT \(sums) FROM delivery WHERE state IN (\(Self.countedStates)) AND created_at >= $1
            """, [earliest.milliseconds] + cutoffs.map(\.milliseconds))
        return try decode(row) { row in try cutoffs.indices.map { try row("c\($0)", as: Int.self) } } ?? cutoffs.map { _ in 0 }
    }

    func duplicateOf(recipient: String, dedupKey: String, status: String?, subject: String?, since: Timestamp)
        throws(StateError) -> DeliveryRecord?
    {
        let row = try row("""
            SELECT \(Self.decisionColumns) FROM delivery d
            WHERE d.recipient = $1 AND d.dedup_key = $2 AND d.status IS NOT DISTINCT FROM $3::text AND d.created_at >= $4
              AND d.state <> 'duplicate' AND d.state IN (\(Self.coveringStates))
              AND NOT EXISTS (
                SELECT 1 FROM delivery e
                WHERE e.recipient = d.recipient AND e.subject = $5::text AND e.id > d.id
                  AND e.state <> 'duplicate' AND e.status IS DISTINCT FROM $3::text)
            ORDER BY d.id DESC LIMIT 1
            """, [recipient, dedupKey, status, since.milliseconds, subject])
        return try decode(row, Self.record)
    }

    func latestDecision(recipient: String, subject: String) throws(StateError) -> DeliveryRecord? {
        let row = try row("""
            SELECT \(Self.decisionColumns) FROM delivery WHERE recipient = $1 AND subject = $2 AND state <> 'duplicate'
            ORDER BY id DESC LIMIT 1
            """, [recipient, subject])
        return try decode(row, Self.record)
    }

    func heldEntries(of recipient: String) throws(StateError) -> [HeldEntry] {
        let rows = try rows("""
            SELECT d.id, d.created_at, d.subject, d.reason, m.type_label, m.label, m.digest_status, m.digest_rank
            FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.recipient = $1 AND d.state = 'held' ORDER BY d.id
            """, [recipient])
        return try decode(rows) { row in
            HeldEntry(
                deliveryID: try row("id"), createdAt: try row.time("created_at"), typeLabel: try row.optional("type_label"),
                label: try row.optional("label"), status: try row.optional("digest_status"), rank: try row.optional("digest_rank", as: Int.self),
                subject: try row.optional("subject"),
                reason: (try row.optional("reason", as: String.self)).flatMap(DecisionReason.init(rawValue:)))
        }
    }

    func resolvedInstances(among instances: [String]) throws(StateError) -> Set<String> {
        guard !instances.isEmpty else { return [] }
        let rows = try rows("SELECT instance FROM resolved_alert WHERE instance = ANY($1::text[])", [Array(Set(instances))])
        return Set(try decode(rows) { try $0("instance", as: String.self) })
    }

    func recordResolved(_ instances: [String], at time: Timestamp) throws(StateError) {
        guard !instances.isEmpty else { return }
        try execute("""
            INSERT INTO resolved_alert (instance, resolved_at) SELECT unnest($1::text[]), $2 ON CONFLICT (instance) DO NOTHING
            """, [Array(Set(instances)).sorted(), time.milliseconds])
    }

    func recipientsWithHeldEntries() throws(StateError) -> [String] {
        // COLLATE "C": in the order bytes compare (SQLite's), whatever the database's collation.
        try decode(rows("""
            SELECT DISTINCT recipient COLLATE "C" AS recipient FROM delivery WHERE state = 'held' ORDER BY 1
            """)) { try $0("recipient") }
    }

    // MARK: Decisions

    func insert(_ message: NewMessage, at time: Timestamp) throws(StateError) -> Int64 {
        try insertedID("""
            INSERT INTO message (created_at, kind, text, source, type_label, label, tag, digest_rank, digest_status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
            """, [time.milliseconds, message.kind.rawValue, message.text, message.source, message.typeLabel, message.label,
                  message.tag, message.rank, message.status])
    }

    /// Stores a decision. A decision that is not a duplicate records the one it follows (the
    /// latest such about the same number and key, 0 for none): two deciders that read the
    /// same history and both found no earlier delivery to duplicate would both follow the
    /// same one, and the unique index `delivery_decided_once` refuses the second. Under the
    /// writers' lock that never happens; it is what keeps one alert texted once should a
    /// decision ever be taken outside it.
    func insert(_ delivery: NewDelivery, at time: Timestamp) throws(StateError) -> Int64 {
        let sending = delivery.state == .sending
        return try insertedID("""
            INSERT INTO delivery (message_id, recipient, created_at, updated_at, state, reason, detail, dedup_key, status,
                subject, duplicate_of, attempts, next_attempt_at, lease_owner, lease_until, urgent, follows)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                CASE WHEN $5 <> 'duplicate' AND $8::text IS NOT NULL THEN coalesce((
                    SELECT max(id) FROM delivery WHERE recipient = $2 AND dedup_key = $8 AND state <> 'duplicate'), 0) END)
            RETURNING id
            """, [
                delivery.messageID, delivery.recipient, time.milliseconds, time.milliseconds, delivery.state.rawValue,
                delivery.reason?.rawValue, delivery.detail, delivery.dedupKey, delivery.status, delivery.subject,
                delivery.duplicateOf, sending ? 1 : 0, delivery.state == .pending ? time.milliseconds : nil,
                sending ? delivery.leaseOwner : nil, sending ? delivery.leaseUntil?.milliseconds : nil, delivery.urgent,
            ])
    }

    /// Runs an `INSERT … RETURNING id`; the id.
    func insertedID(_ sql: String, _ values: [SQLValue]) throws(StateError) -> Int64 {
        guard let id = try decode(row(sql, values), { try $0("id", as: Int64.self) }) else {
            throw .failed(path: store.location, reason: "an insert returned no id")
        }
        return id
    }

    func markDigested(_ ids: [Int64], into digest: Int64, at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try execute("""
            UPDATE delivery SET state = 'digested', digest_id = $1, updated_at = $2 WHERE state = 'held' AND id = ANY($3::bigint[])
            """, [digest, time.milliseconds, ids])
    }

    func expireHeld(_ ids: [Int64], at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try execute("""
            UPDATE delivery SET state = 'expired', updated_at = $1, error = 'quiet hours ended longer than max_age ago: not sent late'
            WHERE state = 'held' AND id = ANY($2::bigint[])
            """, [time.milliseconds, ids])
    }

    // MARK: Outbox

    func expireQueued(decidedBefore cutoff: Timestamp, at time: Timestamp) throws(StateError) -> Int {
        try execute("""
            UPDATE delivery SET state = 'expired', updated_at = $1, next_attempt_at = NULL,
                error = CASE WHEN state = 'unknown' THEN 'outcome unknown: SMSPartner never confirmed it (' || coalesce(error, '') || ')'
                    ELSE error END
            WHERE state IN ('pending', 'unknown') AND created_at < $2
            """, [time.milliseconds, cutoff.milliseconds])
    }

    func releaseExpiredLeases(at time: Timestamp) throws(StateError) -> Int {
        try execute("""
            UPDATE delivery SET state = 'unknown', lease_owner = NULL, lease_until = NULL, next_attempt_at = $1, updated_at = $1,
                error_class = 'unknown',
                error = 'its sender stopped before recording an outcome; SMSPartner is asked before it is sent again'
            WHERE state = 'sending' AND lease_until < $1
            """, [time.milliseconds])
    }

    static let claimColumns = "d.id, d.message_id, d.recipient, d.created_at, d.attempts, d.state, m.text, m.tag"

    func claimDue(limit: Int, owner: String, leaseUntil: Timestamp, at time: Timestamp) throws(StateError) -> [ClaimedDelivery] {
        // Rows another transaction holds are skipped, not waited for; the lease below keeps
        // them out of every later claim until it runs out.
        let due = try decode(rows("""
            SELECT \(Self.claimColumns) FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.state IN ('pending', 'unknown') AND d.next_attempt_at <= $1
            ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED
            """, [time.milliseconds, limit]), Self.claim)
        let claimed = try ClaimOrder.select(due: due, limit: limit) { (recipient) throws(StateError) in
            try earlierQueued(of: recipient, before: Int64.max)
        }
        try lease(claimed, to: owner, until: leaseUntil, at: time)
        return claimed
    }

    func claimEarlier(of recipient: String, before id: Int64, owner: String, leaseUntil: Timestamp, at time: Timestamp)
        throws(StateError) -> [ClaimedDelivery]
    {
        let claimed = try earlierQueued(of: recipient, before: id)
        try lease(claimed, to: owner, until: leaseUntil, at: time)
        return claimed
    }

    /// `recipient`'s pending deliveries decided before the delivery `id`, oldest first (locked,
    /// skipping those another transaction holds).
    func earlierQueued(of recipient: String, before id: Int64) throws(StateError) -> [ClaimedDelivery] {
        try decode(rows("""
            SELECT \(Self.claimColumns) FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.recipient = $1 AND d.state = 'pending' AND d.id < $2 ORDER BY d.id FOR UPDATE OF d SKIP LOCKED
            """, [recipient, id]), Self.claim)
    }

    static func claim(_ row: Columns) throws -> ClaimedDelivery {
        ClaimedDelivery(
            deliveryID: try row("id"), messageID: try row("message_id"), recipient: try row("recipient"), text: try row("text"),
            createdAt: try row.time("created_at"), attempts: try row("attempts", as: Int.self), tag: try row.optional("tag"),
            outcomeUnknown: (try row("state", as: String.self)) == DeliveryState.unknown.rawValue)
    }

    /// Marks `claimed` as being sent by `owner` until `leaseUntil`.
    func lease(_ claimed: [ClaimedDelivery], to owner: String, until leaseUntil: Timestamp, at time: Timestamp) throws(StateError) {
        guard !claimed.isEmpty else { return }
        try execute("""
            UPDATE delivery SET state = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
            WHERE id = ANY($4::bigint[])
            """, [owner, leaseUntil.milliseconds, time.milliseconds, claimed.map(\.deliveryID)])
    }

    func record(_ outcome: DeliveryOutcome, for ids: [Int64], owner: String, at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        switch outcome {
        case .sent(let providerMessageID, let nbSMS, let cost, let currency):
            // Recorded whatever the row's state: SMSPartner took it, and that is the truth.
            try execute("""
                UPDATE delivery SET state = 'sent', sent_at = $1, updated_at = $1, provider_message_id = $2, nb_sms = $3,
                    cost = $4, currency = $5, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL,
                    error_class = NULL, error = NULL
                WHERE id = ANY($6::bigint[])
                """, [time.milliseconds, providerMessageID, (nbSMS + ids.count - 1) / ids.count, cost.map { $0 / Double(ids.count) },
                      currency, ids])
        case .failed(let errorClass, let error):
            try execute("""
                UPDATE delivery SET state = 'failed', updated_at = $1, error_class = $2, error = $3,
                    lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
                WHERE state = 'sending' AND lease_owner = $4 AND id = ANY($5::bigint[])
                """, [time.milliseconds, errorClass, error, owner, ids])
        case .expired:
            try execute("""
                UPDATE delivery SET state = 'expired', updated_at = $1, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
                WHERE state = 'sending' AND lease_owner = $2 AND id = ANY($3::bigint[])
                """, [time.milliseconds, owner, ids])
        case .confirmed:
            try execute("""
                UPDATE delivery SET state = 'sent', sent_at = $1, updated_at = $1, provider_message_id = NULL, nb_sms = NULL,
                    cost = NULL, currency = NULL, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL,
                    error_class = NULL, error = NULL
                WHERE id = ANY($2::bigint[])
                """, [time.milliseconds, ids])
        case .unknown(let error, let checkAt):
            try execute("""
                UPDATE delivery SET state = 'unknown', updated_at = $1, error_class = 'unknown', error = $2, next_attempt_at = $3,
                    lease_owner = NULL, lease_until = NULL
                WHERE state = 'sending' AND lease_owner = $4 AND id = ANY($5::bigint[])
                """, [time.milliseconds, error, checkAt.milliseconds, owner, ids])
        case .retry(let errorClass, let error, let retryAt):
            try execute("""
                UPDATE delivery SET state = 'pending', updated_at = $1, error_class = $2, error = $3, next_attempt_at = $4,
                    lease_owner = NULL, lease_until = NULL
                WHERE state = 'sending' AND lease_owner = $5 AND id = ANY($6::bigint[])
                """, [time.milliseconds, errorClass, error, retryAt.milliseconds, owner, ids])
        }
    }

    func prune(decidedBefore cutoff: Timestamp) throws(StateError) -> Int {
        let finished = "state NOT IN ('sending', 'pending', 'unknown', 'held')"
        let deleted = try execute("DELETE FROM delivery WHERE created_at < $1 AND \(finished)", [cutoff.milliseconds])
        // Bounded whatever the traffic: beyond the newest rows, the oldest finished ones go.
        let capped = try execute("""
            DELETE FROM delivery WHERE \(finished) AND id <= (SELECT id FROM delivery ORDER BY id DESC LIMIT 1 OFFSET $1)
            """, [StateLimits.maxDeliveries])
        try execute("DELETE FROM resolved_alert WHERE resolved_at < $1", [cutoff.milliseconds])
        try execute("DELETE FROM page WHERE updated_at < $1", [cutoff.milliseconds])
        try execute("DELETE FROM reply WHERE received_at < $1", [cutoff.milliseconds])
        try execute("DELETE FROM escalation WHERE updated_at < $1", [cutoff.milliseconds])
        try execute("DELETE FROM heartbeat WHERE last_seen < $1 AND alarm_at IS NULL", [cutoff.milliseconds])
        _ = try pruneCheckRuns(before: cutoff - StateLimits.checkRunRetention)
        try execute("DELETE FROM message m WHERE NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = m.id)")
        return deleted + capped
    }

    func value(_ key: String) throws(StateError) -> String? {
        try decode(row("SELECT value FROM meta WHERE key = $1", [key])) { try $0("value", as: String.self) }
    }

    func setValue(_ value: String, for key: String) throws(StateError) {
        try execute("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
    }
}
