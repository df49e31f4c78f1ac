import NotifyState
import PostgresNIO

/// Delivery receipts: tracking sent deliveries, claiming the due looks, recording reports.
extension PostgresTransaction {
    static let receiptColumns = """
        d.id, d.recipient, d.provider_message_id, d.sent_at, d.receipt_polls, d.receipt, substr(m.text, 1, 80) AS about, m.tag
        """

    static func receiptCheck(_ row: Columns) throws -> ReceiptCheck {
        let stateName: String = try row("receipt")
        guard let state = ReceiptState(rawValue: stateName) else { throw Columns.Missing(column: "receipt \(stateName)") }
        return ReceiptCheck(
            id: try row("id"), recipient: try row("recipient"), providerMessageID: try row.optional("provider_message_id"),
            tag: try row.optional("tag"), sentAt: try row.optionalTime("sent_at") ?? Timestamp(milliseconds: 0),
            polls: try row("receipt_polls", as: Int.self), state: state, about: try row("about"))
    }

    func trackReceipts(for ids: [Int64], dueAt: Timestamp, at time: Timestamp) throws(StateError) {
        guard !ids.isEmpty else { return }
        try execute("""
            UPDATE delivery SET receipt = 'accepted', receipt_at = $1, receipt_detail = NULL, receipt_polls = 0, receipt_due_at = $2
            WHERE state = 'sent' AND receipt IS NULL AND id = ANY($3::bigint[])
            """, [time.milliseconds, dueAt.milliseconds, ids])
    }

    func claimDueReceipts(limit: Int, until: Timestamp, at time: Timestamp) throws(StateError) -> [ReceiptCheck] {
        guard limit > 0 else { return [] }
        let checks = try decode(rows("""
            SELECT \(Self.receiptColumns) FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.receipt = 'accepted' AND d.receipt_due_at <= $1
            ORDER BY d.receipt_due_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED
            """, [time.milliseconds, limit]), Self.receiptCheck)
        guard !checks.isEmpty else { return [] }
        try execute("UPDATE delivery SET receipt_due_at = $1 WHERE id = ANY($2::bigint[])", [until.milliseconds, checks.map(\.id)])
        return checks
    }

    func recordReceipt(_ update: ReceiptUpdate, at time: Timestamp) throws(StateError) -> ReceiptCheck? {
        if update.state == .accepted {
            // Not final: the next look, nothing to report.
            try execute("""
                UPDATE delivery SET receipt_polls = receipt_polls + $1, receipt_due_at = $2, receipt_detail = coalesce($3, receipt_detail)
                WHERE id = $4 AND receipt = 'accepted'
                """, [update.polled ? 1 : 0, update.nextCheckAt?.milliseconds, update.detail, update.id])
            return nil
        }
        guard let before = try decode(row("""
            SELECT \(Self.receiptColumns) FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.id = $1 AND d.receipt = 'accepted' FOR UPDATE OF d
            """, [update.id]), Self.receiptCheck)
        else { return nil }
        try execute("""
            UPDATE delivery SET receipt = $1, receipt_at = $2, receipt_detail = $3, receipt_polls = $4, receipt_due_at = NULL WHERE id = $5
            """, [update.state.rawValue, time.milliseconds, update.detail, before.polls + (update.polled ? 1 : 0), update.id])
        return before
    }

    func trackedDeliveries(providerMessageID: String) throws(StateError) -> [ReceiptCheck] {
        try decode(rows("""
            SELECT \(Self.receiptColumns) FROM delivery d JOIN message m ON m.id = d.message_id
            WHERE d.provider_message_id = $1 AND d.receipt IS NOT NULL ORDER BY d.id LIMIT 500
            """, [providerMessageID]), Self.receiptCheck)
    }

    func receiptSummary(sentSince since: Timestamp, staleBefore: Timestamp) throws(StateError) -> ReceiptSummary {
        var summary = ReceiptSummary()
        let rows = try rows("""
            SELECT receipt, count(*) AS n, count(*) FILTER (WHERE sent_at < $1) AS stale FROM delivery
            WHERE receipt IS NOT NULL AND sent_at >= $2 GROUP BY receipt
            """, [staleBefore.milliseconds, since.milliseconds])
        for (state, count, stale) in try decode(rows, { row in
            (ReceiptState(rawValue: try row("receipt", as: String.self)), try row("n", as: Int.self), try row("stale", as: Int.self))
        }) {
            guard let state else { continue }
            summary.counts[state] = count
            if state == .accepted { summary.stale = stale }
        }
        return summary
    }
}
