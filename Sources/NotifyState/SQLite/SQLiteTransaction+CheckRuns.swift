import GRDB

/// The SQL behind `run`: one row per wrapped check (``CheckRun``).
extension SQLiteTransaction {
    func checkRun(named name: String) throws(StateError) -> CheckRun? {
        try run {
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT name, state, since, failures, alerted, last_output, updated_at FROM check_run WHERE name = ?
                """), arguments: [name]).map { row in
                CheckRun(
                    name: try row.decode(forColumn: "name"),
                    state: try row.decode(forColumn: "state"),
                    since: Timestamp(milliseconds: try row.decode(forColumn: "since")),
                    failures: try row.decode(forColumn: "failures"),
                    alerted: try row.decode(String?.self, forColumn: "alerted"),
                    lastOutput: try row.decode(String?.self, forColumn: "last_output"),
                    updatedAt: Timestamp(milliseconds: try row.decode(forColumn: "updated_at")))
            }
        }
    }

    func save(_ check: CheckRun) throws(StateError) {
        try run {
            try db.cachedStatement(sql: """
                INSERT INTO check_run (name, state, since, failures, alerted, last_output, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET state = excluded.state, since = excluded.since, failures = excluded.failures,
                    alerted = excluded.alerted, last_output = excluded.last_output, updated_at = excluded.updated_at
                """).execute(arguments: [check.name, check.state, check.since.milliseconds, check.failures, check.alerted,
                                         check.lastOutput, check.updatedAt.milliseconds])
        }
    }

    /// Deletes the checks not run since `cutoff`, and beyond the newest
    /// ``SQLiteStateStore/maxCheckRuns`` the least recently run; how many.
    func pruneCheckRuns(before cutoff: Timestamp) throws(StateError) -> Int {
        try run {
            try db.cachedStatement(sql: "DELETE FROM check_run WHERE updated_at < ?").execute(arguments: [cutoff.milliseconds])
            var deleted = db.changesCount
            try db.cachedStatement(sql: """
                DELETE FROM check_run WHERE name IN (
                    SELECT name FROM check_run ORDER BY updated_at DESC LIMIT -1 OFFSET ?)
                """).execute(arguments: [SQLiteStateStore.maxCheckRuns])
            deleted += db.changesCount
            return deleted
        }
    }
}
