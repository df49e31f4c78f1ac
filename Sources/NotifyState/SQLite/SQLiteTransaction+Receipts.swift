import GRDB

/// The SQL behind delivery receipts: tracking sent deliveries, claiming the due looks, and
/// recording what SMSPartner reported.
extension SQLiteTransaction {
    static let receiptColumns = """
        d.id, d.recipient, d.provider_message_id, d.sent_at, d.receipt_polls, d.receipt, \
        substr(m.text, 1, 80) AS about, m.tag
        """

    static func receiptCheck(_ row: Row) throws -> ReceiptCheck {
        let stateName: String = try row.decode(forColumn: "receipt")
        guard let state = ReceiptState(rawValue: stateName) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "unknown receipt state \(stateName)")
        }
        return ReceiptCheck(
            id: try row.decode(forColumn: "id"),
            recipient: try row.decode(forColumn: "recipient"),
            providerMessageID: try row.decode(forColumn: "provider_message_id"),
            tag: try row.decode(forColumn: "tag"),
            sentAt: Timestamp(milliseconds: (try row.decode(Int64?.self, forColumn: "sent_at")) ?? 0),
            polls: try row.decode(forColumn: "receipt_polls"),
            state: state,
            about: try row.decode(forColumn: "about"))
    }

    func trackReceipts(for ids: [Int64], dueAt: Timestamp, at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try run {
            try db.execute(sql: """
                UPDATE delivery SET receipt = 'accepted', receipt_at = ?, receipt_detail = NULL, receipt_polls = 0, receipt_due_at = ?
                WHERE state = 'sent' AND receipt IS NULL AND id IN (\(Self.placeholders(ids.count)))
                """, arguments: StatementArguments([time.milliseconds, dueAt.milliseconds] + ids))
        }
    }

    func claimDueReceipts(limit: Int, until: Timestamp, at time: Timestamp) throws(StateError) -> [ReceiptCheck] {
        guard limit > 0 else { return [] }
        return try run {
            let checks = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.receiptColumns) FROM delivery d JOIN message m ON m.id = d.message_id
                WHERE d.receipt = 'accepted' AND d.receipt_due_at <= ?
                ORDER BY d.receipt_due_at, d.id LIMIT ?
                """), arguments: [time.milliseconds, limit]).map(Self.receiptCheck)
            guard !checks.isEmpty else { return [] }
            try db.execute(sql: """
                UPDATE delivery SET receipt_due_at = ? WHERE id IN (\(Self.placeholders(checks.count)))
                """, arguments: StatementArguments([until.milliseconds] + checks.map(\.id)))
            return checks
        }
    }

    func recordReceipt(_ update: ReceiptUpdate, at time: Timestamp) throws(StateError) -> ReceiptCheck? {
        try run {
            if update.state == .accepted {
                // Not final: the next look, nothing to report (the common case: no read first).
                try db.cachedStatement(sql: """
                    UPDATE delivery SET receipt_polls = receipt_polls + ?, receipt_due_at = ?, receipt_detail = coalesce(?, receipt_detail)
                    WHERE id = ? AND receipt = 'accepted'
                    """).execute(arguments: [update.polled ? 1 : 0, update.nextCheckAt?.milliseconds, update.detail, update.id])
                return nil
            }
            guard let before = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT \(Self.receiptColumns) FROM delivery d JOIN message m ON m.id = d.message_id
                WHERE d.id = ? AND d.receipt = 'accepted'
                """), arguments: [update.id]).map(Self.receiptCheck)
            else { return nil }
            try db.cachedStatement(sql: """
                UPDATE delivery SET receipt = ?, receipt_at = ?, receipt_detail = ?, receipt_polls = ?, receipt_due_at = NULL WHERE id = ?
                """).execute(arguments: [update.state.rawValue, time.milliseconds, update.detail, before.polls + (update.polled ? 1 : 0), update.id])
            return before
        }
    }

    func trackedDeliveries(providerMessageID: String) throws(StateError) -> [ReceiptCheck] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.receiptColumns) FROM delivery d JOIN message m ON m.id = d.message_id
                WHERE d.provider_message_id = ? AND d.receipt IS NOT NULL
                ORDER BY d.id LIMIT 500
                """), arguments: [providerMessageID]).map(Self.receiptCheck)
        }
    }

    func receiptSummary(sentSince since: Timestamp, staleBefore: Timestamp) throws(StateError) -> ReceiptSummary {
        try run {
            var summary = ReceiptSummary()
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT receipt, count(*) AS n, coalesce(sum(sent_at < ?), 0) AS stale FROM delivery
                WHERE receipt IS NOT NULL AND sent_at >= ? GROUP BY receipt
                """), arguments: [staleBefore.milliseconds, since.milliseconds]) {
                guard let state = ReceiptState(rawValue: try row.decode(forColumn: "receipt")) else { continue }
                summary.counts[state] = try row.decode(forColumn: "n")
                if state == .accepted { summary.stale = try row.decode(forColumn: "stale") }
            }
            return summary
        }
    }
}
