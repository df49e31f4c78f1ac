import NotifyState
import PostgresNIO

/// Pages (alerts open to a reply, their codes and acknowledgements) and replies.
extension PostgresTransaction {
    static func page(_ row: Columns) throws -> Page {
        Page(
            id: try row("id"), recipient: try row("recipient"), code: try row("code"), subject: try row("subject"),
            source: try row("source"), target: try row.optional("target"), text: try row("text"), label: try row.optional("label"),
            openedAt: try row.time("opened_at"), updatedAt: try row.time("updated_at"), ackedAt: try row.optionalTime("acked_at"),
            ackedBy: try row.optional("acked_by"), resolvedAt: try row.optionalTime("resolved_at"),
            ackedNumber: try row.optional("acked_number"), silenceID: try row.optional("silence_id"),
            silenceUntil: try row.optionalTime("silence_until"))
    }

    func pages(of recipient: String, resolvedSince: Timestamp) throws(StateError) -> [Page] {
        try decode(rows("""
            SELECT * FROM page WHERE recipient = $1 AND (resolved_at IS NULL OR resolved_at >= $2) ORDER BY id DESC LIMIT 200
            """, [recipient, resolvedSince.milliseconds]), Self.page)
    }

    func openPages(about subject: String) throws(StateError) -> [Page] {
        try decode(rows("SELECT * FROM page WHERE subject = $1 AND resolved_at IS NULL ORDER BY id LIMIT 500", [subject]), Self.page)
    }

    func open(_ page: NewPage, at time: Timestamp) throws(StateError) -> Int64 {
        // One open page per number and alert: a unique index, which the repeat updates.
        try insertedID("""
            INSERT INTO page (recipient, code, subject, source, target, text, label, opened_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
            ON CONFLICT (recipient, subject) WHERE resolved_at IS NULL DO UPDATE SET
                code = excluded.code, text = excluded.text, target = excluded.target, source = excluded.source,
                label = excluded.label, updated_at = excluded.updated_at
            RETURNING id
            """, [page.recipient, page.code, page.subject, page.source, page.target, page.text, page.label, time.milliseconds])
    }

    func resolvePages(about subject: String, at time: Timestamp) throws(StateError) -> Int {
        try execute("UPDATE page SET resolved_at = $1, updated_at = $1 WHERE subject = $2 AND resolved_at IS NULL", [time.milliseconds, subject])
    }

    func acknowledgePage(_ id: Int64, by author: String, at time: Timestamp) throws(StateError) -> Bool {
        try execute("UPDATE page SET acked_at = $1, acked_by = $2, updated_at = $1 WHERE id = $3 AND acked_at IS NULL",
                    [time.milliseconds, author, id]) > 0
    }

    func openPages(code: String) throws(StateError) -> [Page] {
        try decode(rows("SELECT * FROM page WHERE code = $1 AND resolved_at IS NULL ORDER BY id DESC LIMIT 500", [code]), Self.page)
    }

    func silencedPages(at time: Timestamp) throws(StateError) -> [Page] {
        try decode(rows("""
            SELECT * FROM page WHERE silence_id IS NOT NULL AND resolved_at IS NULL AND silence_until > $1 ORDER BY id LIMIT 500
            """, [time.milliseconds]), Self.page)
    }

    func acknowledgePages(about subject: String, by author: String, number: String?, silence: (id: String, until: Timestamp)?,
                          at time: Timestamp) throws(StateError) -> Int {
        let acknowledged = try execute("""
            UPDATE page SET acked_at = $1, acked_by = $2, acked_number = $3, updated_at = $1
            WHERE subject = $4 AND resolved_at IS NULL AND acked_at IS NULL
            """, [time.milliseconds, author, number, subject])
        if let silence {
            try execute("""
                UPDATE page SET silence_id = $1, silence_until = $2, updated_at = $3 WHERE subject = $4 AND resolved_at IS NULL
                """, [silence.id, silence.until.milliseconds, time.milliseconds, subject])
        }
        return acknowledged
    }

    func recordReply(_ reply: NewReply, repeatedSince since: Timestamp, at time: Timestamp) throws(StateError) -> Int64? {
        // A repeat of a reply acted on, or being acted on (less than 30 s ago); not of one that
        // failed (a retry may succeed) or was abandoned (its process died).
        if let key = reply.messageID, try decode(row("""
            SELECT EXISTS (SELECT 1 FROM reply WHERE message_id = $1 AND received_at >= $2
                AND ((outcome IS NOT NULL AND outcome NOT LIKE 'failed%') OR (outcome IS NULL AND received_at >= $3))) AS repeated
            """, [key, since.milliseconds, (time - .seconds(30)).milliseconds]), { try $0("repeated", as: Bool.self) }) == true {
            return nil
        }
        return try insertedID("""
            INSERT INTO reply (message_id, sender, text, command, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id
            """, [reply.messageID, reply.sender, reply.text, reply.command, time.milliseconds])
    }

    func setReplyOutcome(_ id: Int64, _ outcome: String) throws(StateError) {
        try execute("UPDATE reply SET outcome = $1 WHERE id = $2", [outcome, id])
    }
}
