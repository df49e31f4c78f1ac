import GRDB

/// The SQL behind what `check` reads and nothing else does.
extension SQLiteTransaction {
    /// The states of a delivery that should have gone out and has not (yet).
    static let unsentSQL = "\(DeliveryState.queuedSQL),'failed','expired'"

    func firstUnsentDecision(after time: Timestamp?) throws(StateError) -> Timestamp? {
        try run {
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT min(created_at) FROM delivery WHERE state IN (\(Self.unsentSQL)) AND created_at > ?
                """), arguments: [time?.milliseconds ?? Int64.min]).flatMap { row in
                (row[0] as Int64?).map(Timestamp.init)
            }
        }
    }
}
