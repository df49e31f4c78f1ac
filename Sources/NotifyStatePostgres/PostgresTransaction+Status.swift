import NotifyState
import PostgresNIO

/// What `status` and `check` read, and the delivery rows they show.
extension PostgresTransaction {
    func statusSnapshot(now: Timestamp, windows: [Duration], latest: Int) throws(StateError) -> StatusSnapshot {
        var snapshot = StatusSnapshot(now: now)
        let queue = try row("""
            SELECT count(*) AS queued, count(*) FILTER (WHERE state = 'sending') AS sending,
                count(*) FILTER (WHERE state = 'unknown') AS unknown, min(created_at) AS oldest,
                (SELECT count(*) FROM delivery WHERE state = 'held') AS held,
                (SELECT max(sent_at) FROM delivery WHERE state = 'sent') AS last_sent
            FROM delivery WHERE state IN (\(DeliveryState.queuedSQL))
            """)
        try decode(queue) { row in
            snapshot.queued = try row("queued", as: Int.self)
            snapshot.sending = try row("sending", as: Int.self)
            snapshot.unknown = try row("unknown", as: Int.self)
            snapshot.oldestQueued = try row.optionalTime("oldest")
            snapshot.held = try row("held", as: Int.self)
            snapshot.lastSent = try row.optionalTime("last_sent")
        }
        for length in windows {
            let since = (now - length).milliseconds
            var window = StatusSnapshot.Window(length: length)
            try decode(row("""
                SELECT count(*) AS sent, coalesce(sum(nb_sms), 0)::bigint AS segments, coalesce(sum(cost), 0.0)::float8 AS cost
                FROM delivery WHERE state = 'sent' AND sent_at >= $1
                """, [since])) { row in
                window.sent = try row("sent", as: Int.self)
                window.segments = try row("segments", as: Int.self)
                window.cost = try row("cost", as: Double.self)
            }
            for (reason, count) in try decode(rows("""
                SELECT reason, count(*) AS n FROM delivery
                WHERE state IN ('duplicate', 'held', 'digested') AND created_at >= $1 GROUP BY reason
                """, [since]), { row in ((try row.optional("reason", as: String.self)).flatMap(DecisionReason.init(rawValue:)), try row("n", as: Int.self)) }) {
                window.suppressed[reason ?? .duplicate, default: 0] += count
            }
            for (errorClass, count) in try decode(rows("""
                SELECT coalesce(error_class, 'unknown') AS class, count(*) AS n FROM delivery
                WHERE state = 'failed' AND updated_at >= $1 GROUP BY 1
                """, [since]), { row in (try row("class", as: String.self), try row("n", as: Int.self)) }) {
                window.failed[errorClass] = count
            }
            try decode(row("""
                SELECT (SELECT count(*) FROM delivery WHERE state = 'expired' AND updated_at >= $1) AS expired,
                    (SELECT count(*) FROM delivery d JOIN message m ON m.id = d.message_id
                     WHERE m.kind = 'digest' AND d.created_at >= $1) AS digests
                """, [since])) { row in
                window.expired = try row("expired", as: Int.self)
                window.digests = try row("digests", as: Int.self)
            }
            window.receipts = try receiptSummary(sentSince: now - length, staleBefore: now - .seconds(3600))
            snapshot.windows.append(window)
        }
        snapshot.latest = try decode(rows("""
            SELECT d.*, m.text, m.source, m.type_label, m.label, m.tag FROM delivery d JOIN message m ON m.id = d.message_id
            ORDER BY d.id DESC LIMIT $1
            """, [latest]), Self.record)
        snapshot.heartbeats = try heartbeats()
        snapshot.pages = try decode(rows("SELECT * FROM page WHERE resolved_at IS NULL ORDER BY id DESC LIMIT $1",
                                         [StatusSnapshot.maxPages]), Self.page)
        snapshot.escalations = try activeEscalations(limit: StatusSnapshot.maxPages)
        return snapshot
    }

    /// The states of a delivery that should have gone out and has not (yet).
    static let unsentSQL = "\(DeliveryState.queuedSQL),'failed','expired'"

    func firstUnsentDecision(after time: Timestamp?) throws(StateError) -> Timestamp? {
        let row = try row("SELECT min(created_at) AS first FROM delivery WHERE state IN (\(Self.unsentSQL)) AND created_at > $1",
                          [time?.milliseconds ?? Int64.min])
        return try decode(row) { try $0.optionalTime("first") } ?? nil
    }

    /// A delivery row (with the message's columns when the query joined them); an optional
    /// field whose column the query did not select is nil.
    static func record(_ row: Columns) throws -> DeliveryRecord {
        let stateName: String = try row("state")
        guard let state = DeliveryState(rawValue: stateName) else { throw Columns.Missing(column: "state \(stateName)") }
        return DeliveryRecord(
            id: try row("id"),
            messageID: try row("message_id"),
            recipient: try row("recipient"),
            createdAt: try row.time("created_at"),
            updatedAt: try row.time("updated_at"),
            state: state,
            reason: (try row.optional("reason", as: String.self)).flatMap(DecisionReason.init(rawValue:)),
            detail: try row.optional("detail"),
            dedupKey: try row.optional("dedup_key"),
            status: try row.optional("status"),
            subject: try row.optional("subject"),
            duplicateOf: try row.optional("duplicate_of"),
            digestID: try row.optional("digest_id"),
            attempts: try row("attempts", as: Int.self),
            nextAttemptAt: try row.optionalTime("next_attempt_at"),
            leaseUntil: try row.optionalTime("lease_until"),
            sentAt: try row.optionalTime("sent_at"),
            providerMessageID: try row.optional("provider_message_id"),
            nbSMS: try row.optional("nb_sms", as: Int.self),
            cost: try row.optional("cost"),
            currency: try row.optional("currency"),
            errorClass: try row.optional("error_class"),
            error: try row.optional("error"),
            text: try row.optional("text"),
            source: try row.optional("source"),
            typeLabel: try row.optional("type_label"),
            label: try row.optional("label"),
            tag: try row.optional("tag"),
            receipt: (try row.optional("receipt", as: String.self)).flatMap(ReceiptState.init(rawValue:)),
            receiptAt: try row.optionalTime("receipt_at"),
            receiptDetail: try row.optional("receipt_detail"))
    }
}
