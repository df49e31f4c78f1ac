import GRDB

/// The SQL behind pages: alerts open to a reply, their codes and acknowledgements.
extension SQLiteTransaction {
    static func page(_ row: Row) throws -> Page {
        func time(_ column: String) throws -> Timestamp? {
            (try row.decode(Int64?.self, forColumn: column)).map(Timestamp.init)
        }
        return Page(
            id: try row.decode(forColumn: "id"),
            recipient: try row.decode(forColumn: "recipient"),
            code: try row.decode(forColumn: "code"),
            subject: try row.decode(forColumn: "subject"),
            source: try row.decode(forColumn: "source"),
            target: try row.decode(forColumn: "target"),
            text: try row.decode(forColumn: "text"),
            label: try row.decode(forColumn: "label"),
            openedAt: Timestamp(milliseconds: try row.decode(forColumn: "opened_at")),
            updatedAt: Timestamp(milliseconds: try row.decode(forColumn: "updated_at")),
            ackedAt: try time("acked_at"),
            ackedBy: try row.decode(forColumn: "acked_by"),
            resolvedAt: try time("resolved_at"),
            ackedNumber: try row.decode(forColumn: "acked_number"),
            silenceID: try row.decode(forColumn: "silence_id"),
            silenceUntil: try time("silence_until"))
    }

    func pages(of recipient: String, resolvedSince: Timestamp) throws(StateError) -> [Page] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM page WHERE recipient = ? AND (resolved_at IS NULL OR resolved_at >= ?)
                ORDER BY id DESC LIMIT 200
                """), arguments: [recipient, resolvedSince.milliseconds]).map(Self.page)
        }
    }

    func openPages(about subject: String) throws(StateError) -> [Page] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM page WHERE subject = ? AND resolved_at IS NULL ORDER BY id LIMIT 500
                """), arguments: [subject]).map(Self.page)
        }
    }

    func open(_ page: NewPage, at time: Timestamp) throws(StateError) -> Int64 {
        try run {
            if let id = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT id FROM page WHERE recipient = ? AND subject = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT 1
                """), arguments: [page.recipient, page.subject]) {
                try db.cachedStatement(sql: """
                    UPDATE page SET code = ?, text = ?, target = ?, source = ?, label = ?, updated_at = ? WHERE id = ?
                    """).execute(arguments: [page.code, page.text, page.target, page.source, page.label, time.milliseconds, id])
                return id
            }
            try db.cachedStatement(sql: """
                INSERT INTO page (recipient, code, subject, source, target, text, label, opened_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [page.recipient, page.code, page.subject, page.source, page.target, page.text, page.label,
                                         time.milliseconds, time.milliseconds])
            return db.lastInsertedRowID
        }
    }

    func resolvePages(about subject: String, at time: Timestamp) throws(StateError) -> Int {
        try run {
            try db.cachedStatement(sql: "UPDATE page SET resolved_at = ?, updated_at = ? WHERE subject = ? AND resolved_at IS NULL")
                .execute(arguments: [time.milliseconds, time.milliseconds, subject])
            return db.changesCount
        }
    }

    func acknowledgePage(_ id: Int64, by author: String, at time: Timestamp) throws(StateError) -> Bool {
        try run {
            try db.cachedStatement(sql: "UPDATE page SET acked_at = ?, acked_by = ?, updated_at = ? WHERE id = ? AND acked_at IS NULL")
                .execute(arguments: [time.milliseconds, author, time.milliseconds, id])
            return db.changesCount > 0
        }
    }

    func openPages(code: String) throws(StateError) -> [Page] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM page WHERE code = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT 500
                """), arguments: [code]).map(Self.page)
        }
    }

    func silencedPages(at time: Timestamp) throws(StateError) -> [Page] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM page WHERE silence_id IS NOT NULL AND resolved_at IS NULL AND silence_until > ? ORDER BY id LIMIT 500
                """), arguments: [time.milliseconds]).map(Self.page)
        }
    }

    func acknowledgePages(about subject: String, by author: String, number: String?, silence: (id: String, until: Timestamp)?,
                          at time: Timestamp) throws(StateError) -> Int {
        try run {
            try db.cachedStatement(sql: """
                UPDATE page SET acked_at = ?, acked_by = ?, acked_number = ?, updated_at = ?
                WHERE subject = ? AND resolved_at IS NULL AND acked_at IS NULL
                """).execute(arguments: [time.milliseconds, author, number, time.milliseconds, subject])
            let acknowledged = db.changesCount
            if let silence {
                try db.cachedStatement(sql: """
                    UPDATE page SET silence_id = ?, silence_until = ?, updated_at = ? WHERE subject = ? AND resolved_at IS NULL
                    """).execute(arguments: [silence.id, silence.until.milliseconds, time.milliseconds, subject])
            }
            return acknowledged
        }
    }

    func recordReply(_ reply: NewReply, repeatedSince since: Timestamp, at time: Timestamp) throws(StateError) -> Int64? {
        try run {
            // A repeat of a reply acted on, or being acted on (less than 30 s ago); not of one
            // that failed (a retry may succeed) or was abandoned (its process died).
            if let key = reply.messageID, try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM reply WHERE message_id = ? AND received_at >= ?
                    AND ((outcome IS NOT NULL AND outcome NOT LIKE 'failed%') OR (outcome IS NULL AND received_at >= ?)))
                """), arguments: [key, since.milliseconds, (time - .seconds(30)).milliseconds]) == true {
                return nil
            }
            try db.cachedStatement(sql: """
                INSERT INTO reply (message_id, sender, text, command, received_at) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [reply.messageID, reply.sender, reply.text, reply.command, time.milliseconds])
            return db.lastInsertedRowID
        }
    }

    func setReplyOutcome(_ id: Int64, _ outcome: String) throws(StateError) {
        try run {
            try db.cachedStatement(sql: "UPDATE reply SET outcome = ? WHERE id = ?").execute(arguments: [outcome, id])
        }
    }
}
