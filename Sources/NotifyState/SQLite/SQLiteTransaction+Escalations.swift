import GRDB

/// The SQL behind escalations: the alerts whose policy pages more numbers until acknowledged.
extension SQLiteTransaction {
    static func escalation(_ row: Row) throws -> Escalation {
        func time(_ column: String) throws -> Timestamp? {
            (try row.decode(Int64?.self, forColumn: column)).map(Timestamp.init)
        }
        let paged: String = try row.decode(forColumn: "paged")
        var escalation = Escalation(
            id: try row.decode(forColumn: "id"), subject: try row.decode(forColumn: "subject"), policy: try row.decode(forColumn: "policy"),
            label: try row.decode(forColumn: "label"), source: try row.decode(forColumn: "source"), target: try row.decode(forColumn: "target"),
            text: try row.decode(forColumn: "text"), step: try row.decode(forColumn: "step"), steps: try row.decode(forColumn: "steps"),
            round: try row.decode(forColumn: "round"), startedAt: Timestamp(milliseconds: try row.decode(forColumn: "started_at")),
            nextAt: try time("next_at"), paged: paged.split(separator: ",").map(String.init))
        escalation.roundStartedAt = Timestamp(milliseconds: try row.decode(forColumn: "round_started_at"))
        escalation.firedAt = Timestamp(milliseconds: try row.decode(forColumn: "fired_at"))
        escalation.exhaustedAt = try time("exhausted_at")
        escalation.stoppedAt = try time("stopped_at")
        escalation.stopReason = (try row.decode(String?.self, forColumn: "stop_reason")).flatMap(Escalation.StopReason.init(rawValue:))
        escalation.updatedAt = Timestamp(milliseconds: try row.decode(forColumn: "updated_at"))
        return escalation
    }

    func activeEscalations(limit: Int) throws(StateError) -> [Escalation] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM escalation WHERE stopped_at IS NULL ORDER BY exhausted_at IS NOT NULL, next_at IS NULL, next_at, id LIMIT ?
                """),
                             arguments: [limit]).map(Self.escalation)
        }
    }

    func activeEscalation(about subject: String) throws(StateError) -> Escalation? {
        try run {
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM escalation WHERE subject = ? AND stopped_at IS NULL"),
                             arguments: [subject]).map(Self.escalation)
        }
    }

    func latestDeliveries(to recipients: [String], about subjects: [String], since: Timestamp) throws(StateError) -> [DeliveryRecord] {
        guard !recipients.isEmpty, !subjects.isEmpty else { return [] }
        return try run {
            var latest: [String: DeliveryRecord] = [:]
            for recipient in Set(recipients) {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM delivery WHERE recipient = ? AND subject IN (\(Self.placeholders(subjects.count)))
                        AND state <> 'duplicate' AND created_at >= ? ORDER BY id DESC LIMIT 1
                    """, arguments: StatementArguments([recipient] + subjects) + [since.milliseconds])
                if let row = rows.first { latest[recipient] = try Self.record(row) }
            }
            return latest.values.sorted { $0.id < $1.id }
        }
    }

    func insert(_ escalation: Escalation, at time: Timestamp) throws(StateError) -> Int64 {
        try run {
            try db.cachedStatement(sql: """
                INSERT INTO escalation (subject, policy, label, source, target, text, step, steps, round, round_started_at, started_at,
                    fired_at, next_at, paged, exhausted_at, stopped_at, stop_reason, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    escalation.subject, escalation.policy, escalation.label, escalation.source, escalation.target, escalation.text,
                    escalation.step, escalation.steps, escalation.round, escalation.roundStartedAt.milliseconds,
                    escalation.startedAt.milliseconds, escalation.firedAt.milliseconds, escalation.nextAt?.milliseconds,
                    escalation.paged.joined(separator: ","), escalation.exhaustedAt?.milliseconds, escalation.stoppedAt?.milliseconds,
                    escalation.stopReason?.rawValue, time.milliseconds,
                ])
            return db.lastInsertedRowID
        }
    }

    func update(_ escalation: Escalation, at time: Timestamp) throws(StateError) {
        try run {
            try db.cachedStatement(sql: """
                UPDATE escalation SET step = ?, round = ?, round_started_at = ?, fired_at = ?, next_at = ?, paged = ?, exhausted_at = ?,
                    stopped_at = ?, stop_reason = ?, updated_at = ?
                WHERE id = ?
                """).execute(arguments: [
                    escalation.step, escalation.round, escalation.roundStartedAt.milliseconds, escalation.firedAt.milliseconds,
                    escalation.nextAt?.milliseconds, escalation.paged.joined(separator: ","), escalation.exhaustedAt?.milliseconds,
                    escalation.stoppedAt?.milliseconds, escalation.stopReason?.rawValue, time.milliseconds, escalation.id,
                ])
        }
    }
}
