import GRDB

/// The write probe of `serve`'s `/healthz` and of `check`.
extension SQLiteStateStore {
    public func probeWrite(_ value: String, for key: String, keep: Bool) throws(StateError) {
        let lock = try FileLock(path: lockPath, timeout: busyTimeout)
        defer { lock.unlock() }
        do {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try SQLiteTransaction(db: db, path: path).setValue(value, for: key)
                    return keep ? .commit : .rollback
                }
            }
        } catch {
            throw Self.stateError(error, path: path, busyTimeout: busyTimeout)
        }
    }
}
