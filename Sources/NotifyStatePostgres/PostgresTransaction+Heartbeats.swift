import NotifyState
import PostgresNIO

/// The dead man's switch (heartbeats of each Alertmanager cluster) and the checks of `run`.
extension PostgresTransaction {
    func heartbeats() throws(StateError) -> [Heartbeat] {
        // COLLATE "C": in the order bytes compare (SQLite's), whatever the database's collation.
        try decode(rows("SELECT cluster, last_seen, alarm_at, restored_at FROM heartbeat ORDER BY cluster COLLATE \"C\"")) { row in
            Heartbeat(cluster: try row("cluster"), lastSeen: try row.time("last_seen"), alarmAt: try row.optionalTime("alarm_at"),
                      restoredAt: try row.optionalTime("restored_at"))
        }
    }

    func recordHeartbeat(cluster: String, at time: Timestamp) throws(StateError) {
        // Never back in time: two servers' clocks may differ a little.
        try execute("""
            INSERT INTO heartbeat (cluster, last_seen) VALUES ($1, $2)
            ON CONFLICT (cluster) DO UPDATE SET last_seen = greatest(heartbeat.last_seen, excluded.last_seen)
            """, [cluster, time.milliseconds])
    }

    func markSilent(cluster: String, at time: Timestamp) throws(StateError) {
        try execute("UPDATE heartbeat SET alarm_at = $1 WHERE cluster = $2", [time.milliseconds, cluster])
    }

    func markRestored(cluster: String, at time: Timestamp) throws(StateError) {
        try execute("UPDATE heartbeat SET alarm_at = NULL, restored_at = $1 WHERE cluster = $2", [time.milliseconds, cluster])
    }

    // MARK: Checks of `run`

    func checkRun(named name: String) throws(StateError) -> CheckRun? {
        try decode(row("SELECT name, state, since, failures, alerted, last_output, updated_at FROM check_run WHERE name = $1", [name])) { row in
            CheckRun(name: try row("name"), state: try row("state"), since: try row.time("since"), failures: try row("failures", as: Int.self),
                     alerted: try row.optional("alerted"), lastOutput: try row.optional("last_output"), updatedAt: try row.time("updated_at"))
        }
    }

    func save(_ check: CheckRun) throws(StateError) {
        try execute("""
            INSERT INTO check_run (name, state, since, failures, alerted, last_output, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (name) DO UPDATE SET state = excluded.state, since = excluded.since, failures = excluded.failures,
                alerted = excluded.alerted, last_output = excluded.last_output, updated_at = excluded.updated_at
            """, [check.name, check.state, check.since.milliseconds, check.failures, check.alerted, check.lastOutput, check.updatedAt.milliseconds])
    }

    /// Deletes the checks not run since `cutoff`, and beyond the newest ``StateLimits/maxCheckRuns``
    /// the least recently run; how many.
    func pruneCheckRuns(before cutoff: Timestamp) throws(StateError) -> Int {
        try execute("DELETE FROM check_run WHERE updated_at < $1", [cutoff.milliseconds])
            + execute("""
                DELETE FROM check_run WHERE name IN (SELECT name FROM check_run ORDER BY updated_at DESC OFFSET $1)
                """, [StateLimits.maxCheckRuns])
    }
}
