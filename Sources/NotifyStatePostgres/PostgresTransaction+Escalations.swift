import NotifyState
import PostgresNIO

/// Escalations: the alerts whose policy pages more numbers until acknowledged.
extension PostgresTransaction {
    static func escalation(_ row: Columns) throws -> Escalation {
        let paged: String = try row("paged")
        var escalation = Escalation(
            id: try row("id"), subject: try row("subject"), policy: try row("policy"), label: try row("label"), source: try row("source"),
            target: try row.optional("target"), text: try row("text"), step: try row("step", as: Int.self), steps: try row("steps", as: Int.self),
            round: try row("round", as: Int.self), startedAt: try row.time("started_at"), nextAt: try row.optionalTime("next_at"),
            paged: paged.split(separator: ",").map(String.init))
        escalation.roundStartedAt = try row.time("round_started_at")
        escalation.firedAt = try row.time("fired_at")
        escalation.exhaustedAt = try row.optionalTime("exhausted_at")
        escalation.stoppedAt = try row.optionalTime("stopped_at")
        escalation.stopReason = (try row.optional("stop_reason", as: String.self)).flatMap(Escalation.StopReason.init(rawValue:))
        escalation.updatedAt = try row.time("updated_at")
        return escalation
    }

    func activeEscalations(limit: Int) throws(StateError) -> [Escalation] {
        try decode(rows("""
            SELECT * FROM escalation WHERE stopped_at IS NULL
            ORDER BY exhausted_at IS NOT NULL, next_at IS NULL, next_at, id LIMIT $1
            """, [limit]), Self.escalation)
    }

    func activeEscalation(about subject: String) throws(StateError) -> Escalation? {
        try decode(row("SELECT * FROM escalation WHERE subject = $1 AND stopped_at IS NULL", [subject]), Self.escalation)
    }

    func latestDeliveries(to recipients: [String], about subjects: [String], since: Timestamp) throws(StateError) -> [DeliveryRecord] {
        guard !recipients.isEmpty, !subjects.isEmpty else { return [] }
        let rows = try rows("""
            SELECT DISTINCT ON (recipient) * FROM delivery
            WHERE recipient = ANY($1::text[]) AND subject = ANY($2::text[]) AND state <> 'duplicate' AND created_at >= $3
            ORDER BY recipient, id DESC
            """, [Array(Set(recipients)), subjects, since.milliseconds])
        return try decode(rows, Self.record).sorted { $0.id < $1.id }
    }

    func insert(_ escalation: Escalation, at time: Timestamp) throws(StateError) -> Int64 {
        // A second active escalation of a subject is refused (the unique index). As with
        // SQLite, the refusal must fail this statement alone: PostgreSQL would abort the whole
        // transaction, and the COMMIT of a caller that caught the error would silently roll
        // back everything it did before. Hence a savepoint, rolled back to on a failure.
        try execute("SAVEPOINT escalation_insert")
        do throws(StateError) {
            let id = try insertEscalation(escalation, at: time)
            try execute("RELEASE SAVEPOINT escalation_insert")
            return id
        } catch {
            try? pipeline(("ROLLBACK TO SAVEPOINT escalation_insert", []), ("RELEASE SAVEPOINT escalation_insert", []))
            throw error
        }
    }

    /// The `INSERT` of ``insert(_:at:)``.
    private func insertEscalation(_ escalation: Escalation, at time: Timestamp) throws(StateError) -> Int64 {
        try insertedID("""
            INSERT INTO escalation (subject, policy, label, source, target, text, step, steps, round, round_started_at, started_at,
                fired_at, next_at, paged, exhausted_at, stopped_at, stop_reason, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id
            """, [
                escalation.subject, escalation.policy, escalation.label, escalation.source, escalation.target, escalation.text,
                escalation.step, escalation.steps, escalation.round, escalation.roundStartedAt.milliseconds,
                escalation.startedAt.milliseconds, escalation.firedAt.milliseconds, escalation.nextAt?.milliseconds,
                escalation.paged.joined(separator: ","), escalation.exhaustedAt?.milliseconds, escalation.stoppedAt?.milliseconds,
                escalation.stopReason?.rawValue, time.milliseconds,
            ])
    }

    func update(_ escalation: Escalation, at time: Timestamp) throws(StateError) {
        try execute("""
            UPDATE escalation SET step = $1, round = $2, round_started_at = $3, fired_at = $4, next_at = $5, paged = $6, exhausted_at = $7,
                stopped_at = $8, stop_reason = $9, updated_at = $10
            WHERE id = $11
            """, [
                escalation.step, escalation.round, escalation.roundStartedAt.milliseconds, escalation.firedAt.milliseconds,
                escalation.nextAt?.milliseconds, escalation.paged.joined(separator: ","), escalation.exhaustedAt?.milliseconds,
                escalation.stoppedAt?.milliseconds, escalation.stopReason?.rawValue, time.milliseconds, escalation.id,
            ])
    }
}
