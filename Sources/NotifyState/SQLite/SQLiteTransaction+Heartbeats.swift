import GRDB

/// The SQL behind the dead man's switch: the last heartbeat of each Alertmanager cluster, and
/// when its silence and its return were texted.
extension SQLiteTransaction {
    func heartbeats() throws(StateError) -> [Heartbeat] {
        try run {
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT cluster, last_seen, alarm_at, restored_at FROM heartbeat ORDER BY cluster
                """)).map { row in
                Heartbeat(
                    cluster: try row.decode(forColumn: "cluster"),
                    lastSeen: Timestamp(milliseconds: try row.decode(forColumn: "last_seen")),
                    alarmAt: (try row.decode(Int64?.self, forColumn: "alarm_at")).map(Timestamp.init),
                    restoredAt: (try row.decode(Int64?.self, forColumn: "restored_at")).map(Timestamp.init))
            }
        }
    }

    func recordHeartbeat(cluster: String, at time: Timestamp) throws(StateError) {
        try run {
            // Never back in time: two servers' clocks may differ a little.
            try db.cachedStatement(sql: """
                INSERT INTO heartbeat (cluster, last_seen) VALUES (?, ?)
                ON CONFLICT(cluster) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
                """).execute(arguments: [cluster, time.milliseconds])
        }
    }

    func markSilent(cluster: String, at time: Timestamp) throws(StateError) {
        try run {
            try db.cachedStatement(sql: "UPDATE heartbeat SET alarm_at = ? WHERE cluster = ?").execute(arguments: [time.milliseconds, cluster])
        }
    }

    func markRestored(cluster: String, at time: Timestamp) throws(StateError) {
        try run {
            try db.cachedStatement(sql: "UPDATE heartbeat SET alarm_at = NULL, restored_at = ? WHERE cluster = ?")
                .execute(arguments: [time.milliseconds, cluster])
        }
    }
}
