import GRDB

/// The SQL behind ``StateTransaction`` and ``StateReader``, on one connection inside one
/// transaction (``SQLiteStateStore/write(_:)`` or ``SQLiteStateStore/read(_:)``).
struct SQLiteTransaction: StateTransaction {
    let db: Database
    let path: String

    /// Runs one database operation, turning its failure into a ``StateError``.
    func run<T>(_ operation: () throws -> T) throws(StateError) -> T {
        do {
            return try operation()
        } catch {
            throw SQLiteStateStore.stateError(error, path: path, busyTimeout: .zero)
        }
    }

    /// What the policy and the replies read of an earlier delivery (``duplicateOf`` and
    /// ``latestDecision``); the record's other fields are nil. Every column a statement reads
    /// costs a call of GRDB's authorizer as it is prepared (~20 k instructions, in every
    /// one-shot process).
    static func decisionColumns(_ table: String) -> String {
        ["id", "message_id", "recipient", "created_at", "updated_at", "state", "attempts", "sent_at", "status"]
            .map { table + $0 }.joined(separator: ", ")
    }

    static let countedStates = DeliveryState.countedTowardLimits.map { "'\($0.rawValue)'" }.joined(separator: ",")
    static let coveringStates = DeliveryState.coveringDuplicates.map { "'\($0.rawValue)'" }.joined(separator: ",")

    // MARK: Facts

    func limitedSends(to recipient: String?, since: Timestamp, urgentOnly: Bool) throws(StateError) -> [Timestamp] {
        try run {
            let filter = recipient == nil ? "" : "d.recipient = ? AND "
            var arguments: StatementArguments = []
            if let recipient { arguments += [recipient] }
            arguments += [since.milliseconds]
            let urgent = urgentOnly ? " AND d.urgent = 1" : ""
            // Rows rather than `Int64.fetchAll`: GRDB's typed cursor costs a one-shot process
            // a scan of every protocol conformance in the binary (~1 M instructions).
            return try Row.fetchAll(db.cachedStatement(sql: """
                SELECT d.created_at FROM delivery d
                WHERE \(filter)d.state IN (\(Self.countedStates)) AND d.created_at >= ?\(urgent)
                ORDER BY d.created_at
                """), arguments: arguments).map { Timestamp(milliseconds: $0[0]) }
        }
    }

    func limitedSendCounts(since cutoffs: [Timestamp]) throws(StateError) -> [Int] {
        guard let earliest = cutoffs.min() else { return [] }
        return try run {
            let sums = cutoffs.map { _ in "coalesce(sum(created_at >= ?), 0)" }.joined(separator: ", ")
            let arguments = StatementArguments(cutoffs.map(\.milliseconds) + [earliest.milliseconds])
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(sums) FROM delivery WHERE state IN (\(Self.countedStates)) AND created_at >= ?
                """), arguments: arguments) else { return cutoffs.map { _ in 0 } }
            return try cutoffs.indices.map { try row.decode(Int.self, atIndex: $0) }
        }
    }

    func duplicateOf(recipient: String, dedupKey: String, status: String?, subject: String?, since: Timestamp)
        throws(StateError) -> DeliveryRecord?
    {
        try run {
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Self.decisionColumns("d.")) FROM delivery d
                WHERE d.recipient = ? AND d.dedup_key = ? AND d.status IS ? AND d.created_at >= ?
                  AND d.state <> 'duplicate' AND d.state IN (\(Self.coveringStates))
                  AND NOT EXISTS (
                    SELECT 1 FROM delivery e
                    WHERE e.recipient = d.recipient AND e.subject = ? AND e.id > d.id
                      AND e.state <> 'duplicate' AND e.status IS NOT ?)
                ORDER BY d.id DESC LIMIT 1
                """), arguments: [recipient, dedupKey, status, since.milliseconds, subject, status])
                .map(Self.record)
        }
    }

    func latestDecision(recipient: String, subject: String) throws(StateError) -> DeliveryRecord? {
        try run {
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Self.decisionColumns("")) FROM delivery WHERE recipient = ? AND subject = ? AND state <> 'duplicate'
                ORDER BY id DESC LIMIT 1
                """), arguments: [recipient, subject]).map(Self.record)
        }
    }

    func heldEntries(of recipient: String) throws(StateError) -> [HeldEntry] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT d.id, d.created_at, d.subject, d.reason, m.type_label, m.label, m.digest_status, m.digest_rank FROM delivery d JOIN message m ON m.id = d.message_id
                WHERE d.recipient = ? AND d.state = 'held' ORDER BY d.id
                """), arguments: [recipient]).map { row in
                HeldEntry(
                    deliveryID: try row.decode(forColumn: "id"),
                    createdAt: Timestamp(milliseconds: try row.decode(forColumn: "created_at")),
                    typeLabel: try row.decode(forColumn: "type_label"),
                    label: try row.decode(forColumn: "label"),
                    status: try row.decode(forColumn: "digest_status"),
                    rank: try row.decode(forColumn: "digest_rank"),
                    subject: try row.decode(forColumn: "subject"),
                    reason: (try row.decode(forColumn: "reason") as String?).flatMap(DecisionReason.init(rawValue:)))
            }
        }
    }

    func resolvedInstances(among instances: [String]) throws(StateError) -> Set<String> {
        guard !instances.isEmpty else { return [] }
        return try run {
            var found = Set<String>()
            for instance in Set(instances) {
                if try String.fetchOne(db.cachedStatement(sql: "SELECT instance FROM resolved_alert WHERE instance = ?"),
                                       arguments: [instance]) != nil {
                    found.insert(instance)
                }
            }
            return found
        }
    }

    func recordResolved(_ instances: [String], at time: Timestamp) throws(StateError) {
        try run {
            for instance in Set(instances) {
                try db.cachedStatement(sql: """
                    INSERT INTO resolved_alert (instance, resolved_at) VALUES (?, ?) ON CONFLICT(instance) DO NOTHING
                    """).execute(arguments: [instance, time.milliseconds])
            }
        }
    }

    func recipientsWithHeldEntries() throws(StateError) -> [String] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT recipient FROM delivery WHERE state = 'held' ORDER BY recipient"))
                .map { $0[0] }  // rows: see limitedSends
        }
    }

    // MARK: Decisions

    func insert(_ message: NewMessage, at time: Timestamp) throws(StateError) -> Int64 {
        try run {
            try db.cachedStatement(sql: """
                INSERT INTO message (created_at, kind, text, source, type_label, label, tag, digest_rank, digest_status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [time.milliseconds, message.kind.rawValue, message.text, message.source, message.typeLabel, message.label,
                                         message.tag, message.rank, message.status])
            return db.lastInsertedRowID
        }
    }

    func insert(_ delivery: NewDelivery, at time: Timestamp) throws(StateError) -> Int64 {
        try run {
            let sending = delivery.state == .sending
            try db.cachedStatement(sql: """
                INSERT INTO delivery (message_id, recipient, created_at, updated_at, state, reason, detail, dedup_key, status,
                    subject, duplicate_of, attempts, next_attempt_at, lease_owner, lease_until, urgent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    delivery.messageID, delivery.recipient, time.milliseconds, time.milliseconds, delivery.state.rawValue,
                    delivery.reason?.rawValue, delivery.detail, delivery.dedupKey, delivery.status, delivery.subject,
                    delivery.duplicateOf, sending ? 1 : 0, delivery.state == .pending ? time.milliseconds : nil,
                    sending ? delivery.leaseOwner : nil, sending ? delivery.leaseUntil?.milliseconds : nil, delivery.urgent ? 1 : 0,
                ])
            return db.lastInsertedRowID
        }
    }

    func markDigested(_ ids: [Int64], into digest: Int64, at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try run {
            try db.execute(sql: """
                UPDATE delivery SET state = 'digested', digest_id = ?, updated_at = ?
                WHERE state = 'held' AND id IN (\(Self.placeholders(ids.count)))
                """, arguments: StatementArguments([digest, time.milliseconds] + ids))
        }
    }

    func expireHeld(_ ids: [Int64], at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try run {
            try db.execute(sql: """
                UPDATE delivery SET state = 'expired', updated_at = ?, error = 'quiet hours ended longer than max_age ago: not sent late'
                WHERE state = 'held' AND id IN (\(Self.placeholders(ids.count)))
                """, arguments: StatementArguments([time.milliseconds] + ids))
        }
    }

    // MARK: Outbox

    func expireQueued(decidedBefore cutoff: Timestamp, at time: Timestamp) throws(StateError) -> Int {
        try run {
            try db.cachedStatement(sql: """
                UPDATE delivery SET state = 'expired', updated_at = ?, next_attempt_at = NULL,
                    error = CASE WHEN state = 'unknown' THEN 'outcome unknown: SMSPartner never confirmed it (' || coalesce(error, '') || ')'
                        ELSE error END
                WHERE state IN ('pending', 'unknown') AND created_at < ?
                """).execute(arguments: [time.milliseconds, cutoff.milliseconds])
            return db.changesCount
        }
    }

    func releaseExpiredLeases(at time: Timestamp) throws(StateError) -> Int {
        try run {
            try db.cachedStatement(sql: """
                UPDATE delivery SET state = 'unknown', lease_owner = NULL, lease_until = NULL, next_attempt_at = ?, updated_at = ?,
                    error_class = 'unknown',
                    error = 'its sender stopped before recording an outcome; SMSPartner is asked before it is sent again'
                WHERE state = 'sending' AND lease_until < ?
                """).execute(arguments: [time.milliseconds, time.milliseconds, time.milliseconds])
            return db.changesCount
        }
    }

    func claimDue(limit: Int, owner: String, leaseUntil: Timestamp, at time: Timestamp) throws(StateError) -> [ClaimedDelivery] {
        try run {
            let due = try Self.claims(Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.claimColumns) FROM delivery d JOIN message m ON m.id = d.message_id
                WHERE d.state IN ('pending', 'unknown') AND d.next_attempt_at <= ?
                ORDER BY d.next_attempt_at, d.id LIMIT ?
                """), arguments: [time.milliseconds, limit]))
            let claimed = try ClaimOrder.select(due: due, limit: limit) { recipient in
                try earlierQueued(of: recipient, before: Int64.max)
            }
            try lease(claimed, to: owner, until: leaseUntil, at: time)
            return claimed
        }
    }

    func claimEarlier(of recipient: String, before id: Int64, owner: String, leaseUntil: Timestamp, at time: Timestamp)
        throws(StateError) -> [ClaimedDelivery]
    {
        try run {
            let claimed = try earlierQueued(of: recipient, before: id)
            try lease(claimed, to: owner, until: leaseUntil, at: time)
            return claimed
        }
    }

    static let claimColumns = "d.id, d.message_id, d.recipient, d.created_at, d.attempts, d.state, m.text, m.tag"

    /// `recipient`'s pending deliveries (not those whose outcome is unknown: they wait for
    /// SMSPartner to be asked) decided before the delivery `id`, oldest first.
    func earlierQueued(of recipient: String, before id: Int64) throws -> [ClaimedDelivery] {
        try Self.claims(Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(Self.claimColumns) FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.recipient = ? AND d.state = 'pending' AND d.id < ? ORDER BY d.id
            """), arguments: [recipient, id]))
    }

    static func claims(_ rows: [Row]) throws -> [ClaimedDelivery] {
        try rows.map { row in
            ClaimedDelivery(
                deliveryID: try row.decode(forColumn: "id"),
                messageID: try row.decode(forColumn: "message_id"),
                recipient: try row.decode(forColumn: "recipient"),
                text: try row.decode(forColumn: "text"),
                createdAt: Timestamp(milliseconds: try row.decode(forColumn: "created_at")),
                attempts: try row.decode(forColumn: "attempts"),
                tag: try row.decode(forColumn: "tag"),
                outcomeUnknown: (try row.decode(String.self, forColumn: "state")) == DeliveryState.unknown.rawValue)
        }
    }

    /// Marks `claimed` as being sent by `owner` until `leaseUntil`.
    func lease(_ claimed: [ClaimedDelivery], to owner: String, until leaseUntil: Timestamp, at time: Timestamp) throws {
        guard !claimed.isEmpty else { return }
        try db.execute(sql: """
            UPDATE delivery SET state = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
            WHERE id IN (\(Self.placeholders(claimed.count)))
            """, arguments: StatementArguments([owner, leaseUntil.milliseconds, time.milliseconds] as [any DatabaseValueConvertible] + claimed.map(\.deliveryID)))
    }

    func record(_ outcome: DeliveryOutcome, for ids: [Int64], owner: String, at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try run {
            let list = Self.placeholders(ids.count)
            switch outcome {
            case .sent(let providerMessageID, let nbSMS, let cost, let currency):
                // Recorded whatever the row's state: SMSPartner took it, and that is the truth.
                let share = Double(ids.count)
                try db.execute(sql: """
                    UPDATE delivery SET state = 'sent', sent_at = ?, updated_at = ?, provider_message_id = ?, nb_sms = ?,
                        cost = ?, currency = ?, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL,
                        error_class = NULL, error = NULL
                    WHERE id IN (\(list))
                    """, arguments: StatementArguments([
                        time.milliseconds, time.milliseconds, providerMessageID, (nbSMS + ids.count - 1) / ids.count,
                        cost.map { $0 / share }, currency,
                    ] as [(any DatabaseValueConvertible)?] + ids))
            case .failed(let errorClass, let error):
                try db.execute(sql: """
                    UPDATE delivery SET state = 'failed', updated_at = ?, error_class = ?, error = ?,
                        lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
                    WHERE state = 'sending' AND lease_owner = ? AND id IN (\(list))
                    """, arguments: StatementArguments([time.milliseconds, errorClass, error, owner] as [any DatabaseValueConvertible] + ids))
            case .expired:
                try db.execute(sql: """
                    UPDATE delivery SET state = 'expired', updated_at = ?, lease_owner = NULL, lease_until = NULL,
                        next_attempt_at = NULL
                    WHERE state = 'sending' AND lease_owner = ? AND id IN (\(list))
                    """, arguments: StatementArguments([time.milliseconds, owner] as [any DatabaseValueConvertible] + ids))
            case .confirmed:
                // Recorded whatever the row's state, as a success is.
                try db.execute(sql: """
                    UPDATE delivery SET state = 'sent', sent_at = ?, updated_at = ?, provider_message_id = NULL, nb_sms = NULL,
                        cost = NULL, currency = NULL, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL,
                        error_class = NULL, error = NULL
                    WHERE id IN (\(list))
                    """, arguments: StatementArguments([time.milliseconds, time.milliseconds] + ids))
            case .unknown(let error, let checkAt):
                try db.execute(sql: """
                    UPDATE delivery SET state = 'unknown', updated_at = ?, error_class = 'unknown', error = ?, next_attempt_at = ?,
                        lease_owner = NULL, lease_until = NULL
                    WHERE state = 'sending' AND lease_owner = ? AND id IN (\(list))
                    """, arguments: StatementArguments([time.milliseconds, error, checkAt.milliseconds, owner] as [any DatabaseValueConvertible] + ids))
            case .retry(let errorClass, let error, let retryAt):
                try db.execute(sql: """
                    UPDATE delivery SET state = 'pending', updated_at = ?, error_class = ?, error = ?, next_attempt_at = ?,
                        lease_owner = NULL, lease_until = NULL
                    WHERE state = 'sending' AND lease_owner = ? AND id IN (\(list))
                    """, arguments: StatementArguments([time.milliseconds, errorClass, error, retryAt.milliseconds, owner] as [any DatabaseValueConvertible] + ids))
            }
        }
    }

    func prune(decidedBefore cutoff: Timestamp) throws(StateError) -> Int {
        try run {
            try db.cachedStatement(sql: """
                DELETE FROM delivery WHERE created_at < ? AND state NOT IN ('sending', 'pending', 'unknown', 'held')
                """).execute(arguments: [cutoff.milliseconds])
            let deleted = db.changesCount
            // Bounded whatever the traffic: beyond the newest rows, the oldest finished ones go.
            try db.cachedStatement(sql: """
                DELETE FROM delivery WHERE state NOT IN ('sending', 'pending', 'unknown', 'held') AND id <= (
                    SELECT id FROM delivery ORDER BY id DESC LIMIT 1 OFFSET ?)
                """).execute(arguments: [SQLiteStateStore.maxDeliveries])
            let capped = db.changesCount
            try db.cachedStatement(sql: "DELETE FROM resolved_alert WHERE resolved_at < ?").execute(arguments: [cutoff.milliseconds])
            // Pages go with the history: resolved ones, and any not touched since (an alert
            // whose recovery never came).
            try db.cachedStatement(sql: "DELETE FROM page WHERE updated_at < ?").execute(arguments: [cutoff.milliseconds])
            try db.cachedStatement(sql: "DELETE FROM reply WHERE received_at < ?").execute(arguments: [cutoff.milliseconds])
            // Escalations too: stopped ones, and any not touched since.
            try db.cachedStatement(sql: "DELETE FROM escalation WHERE updated_at < ?").execute(arguments: [cutoff.milliseconds])
            // A cluster not heard from since is forgotten (the table stays bounded), unless its
            // silence was texted: it stays silent, and its return is still texted.
            try db.cachedStatement(sql: "DELETE FROM heartbeat WHERE last_seen < ? AND alarm_at IS NULL").execute(arguments: [cutoff.milliseconds])
            // Checks of `run` not run for long (and the least recently run beyond a bound).
            _ = try pruneCheckRuns(before: cutoff - SQLiteStateStore.checkRunRetention)
            try db.cachedStatement(sql: "DELETE FROM message WHERE NOT EXISTS (SELECT 1 FROM delivery d WHERE d.message_id = message.id)").execute()
            return deleted + capped
        }
    }

    func value(_ key: String) throws(StateError) -> String? {
        try run { try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key]) }
    }

    func setValue(_ value: String, for key: String) throws(StateError) {
        try run {
            try db.cachedStatement(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").execute(arguments: [key, value])
        }
    }

    // MARK: Status

    func statusSnapshot(now: Timestamp, windows: [Duration], latest: Int) throws(StateError) -> StatusSnapshot {
        try run {
            var snapshot = StatusSnapshot(now: now)
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) AS queued, coalesce(sum(state = 'sending'), 0) AS sending,
                    coalesce(sum(state = 'unknown'), 0) AS unknown, min(created_at) AS oldest
                FROM delivery WHERE state IN (\(DeliveryState.queuedSQL))
                """)) {
                snapshot.queued = try row.decode(forColumn: "queued")
                snapshot.sending = try row.decode(forColumn: "sending")
                snapshot.unknown = try row.decode(forColumn: "unknown")
                snapshot.oldestQueued = (try row.decode(Int64?.self, forColumn: "oldest")).map(Timestamp.init)
            }
            snapshot.held = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM delivery WHERE state = 'held'")) ?? 0
            snapshot.lastSent = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(sent_at) FROM delivery WHERE state = 'sent'")).map(Timestamp.init)
            for length in windows {
                let since = (now - length).milliseconds
                var window = StatusSnapshot.Window(length: length)
                if let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT count(*) AS sent, coalesce(sum(nb_sms), 0) AS segments, coalesce(sum(cost), 0.0) AS cost
                    FROM delivery WHERE state = 'sent' AND sent_at >= ?
                    """), arguments: [since]) {
                    window.sent = try row.decode(forColumn: "sent")
                    window.segments = try row.decode(forColumn: "segments")
                    window.cost = try row.decode(forColumn: "cost")
                }
                for row in try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT reason, count(*) AS n FROM delivery
                    WHERE state IN ('duplicate', 'held', 'digested') AND created_at >= ? GROUP BY reason
                    """), arguments: [since]) {
                    let reason = (try row.decode(String?.self, forColumn: "reason")).flatMap(DecisionReason.init(rawValue:))
                    window.suppressed[reason ?? .duplicate, default: 0] += try row.decode(Int.self, forColumn: "n")
                }
                for row in try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT coalesce(error_class, 'unknown') AS class, count(*) AS n FROM delivery
                    WHERE state = 'failed' AND updated_at >= ? GROUP BY 1
                    """), arguments: [since]) {
                    window.failed[try row.decode(forColumn: "class")] = try row.decode(Int.self, forColumn: "n")
                }
                window.expired = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT count(*) FROM delivery WHERE state = 'expired' AND updated_at >= ?
                    """), arguments: [since]) ?? 0
                window.digests = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT count(*) FROM delivery d JOIN message m ON m.id = d.message_id
                    WHERE m.kind = 'digest' AND d.created_at >= ?
                    """), arguments: [since]) ?? 0
                window.receipts = try receiptSummary(sentSince: now - length, staleBefore: now - .seconds(3600))
                snapshot.windows.append(window)
            }
            snapshot.latest = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT d.*, m.text, m.source, m.type_label, m.label, m.tag FROM delivery d JOIN message m ON m.id = d.message_id
                ORDER BY d.id DESC LIMIT ?
                """), arguments: [latest]).map(Self.record)
            snapshot.heartbeats = try heartbeats()
            snapshot.pages = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM page WHERE resolved_at IS NULL ORDER BY id DESC LIMIT ?
                """), arguments: [StatusSnapshot.maxPages]).map(Self.page)
            snapshot.escalations = try activeEscalations(limit: StatusSnapshot.maxPages)
            return snapshot
        }
    }

    // MARK: Rows

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// A delivery row (with the message's columns when the query joined them); an optional field whose
    /// column the query did not select is nil.
    static func record(_ row: Row) throws -> DeliveryRecord {
        func time(_ column: String) throws -> Timestamp? {
            (try row.decode(Int64?.self, forColumn: column)).map(Timestamp.init)
        }
        let stateName: String = try row.decode(forColumn: "state")
        guard let state = DeliveryState(rawValue: stateName) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "unknown delivery state \(stateName)")
        }
        return DeliveryRecord(
            id: try row.decode(forColumn: "id"),
            messageID: try row.decode(forColumn: "message_id"),
            recipient: try row.decode(forColumn: "recipient"),
            createdAt: Timestamp(milliseconds: try row.decode(forColumn: "created_at")),
            updatedAt: Timestamp(milliseconds: try row.decode(forColumn: "updated_at")),
            state: state,
            reason: (try row.decode(String?.self, forColumn: "reason")).flatMap(DecisionReason.init(rawValue:)),
            detail: try row.decode(forColumn: "detail"),
            dedupKey: try row.decode(forColumn: "dedup_key"),
            status: try row.decode(forColumn: "status"),
            subject: try row.decode(forColumn: "subject"),
            duplicateOf: try row.decode(forColumn: "duplicate_of"),
            digestID: try row.decode(forColumn: "digest_id"),
            attempts: try row.decode(forColumn: "attempts"),
            nextAttemptAt: try time("next_attempt_at"),
            leaseUntil: try time("lease_until"),
            sentAt: try time("sent_at"),
            providerMessageID: try row.decode(forColumn: "provider_message_id"),
            nbSMS: try row.decode(forColumn: "nb_sms"),
            cost: try row.decode(forColumn: "cost"),
            currency: try row.decode(forColumn: "currency"),
            errorClass: try row.decode(forColumn: "error_class"),
            error: try row.decode(forColumn: "error"),
            text: try row.decode(forColumn: "text"),
            source: try row.decode(forColumn: "source"),
            typeLabel: try row.decode(forColumn: "type_label"),
            label: try row.decode(forColumn: "label"),
            tag: try row.decode(forColumn: "tag"),
            receipt: (try row.decode(String?.self, forColumn: "receipt")).flatMap(ReceiptState.init(rawValue:)),
            receiptAt: try time("receipt_at"),
            receiptDetail: try row.decode(forColumn: "receipt_detail"))
    }
}
