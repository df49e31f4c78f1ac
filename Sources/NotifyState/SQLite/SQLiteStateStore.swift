import CSQLite
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded state store: one SQLite file, `state.db`, in the state directory.
///
/// - WAL journal, `synchronous=NORMAL`: a committed decision survives `kill -9` of any
///   process at any moment (a power cut may lose the last transactions);
/// - every write is one `BEGIN IMMEDIATE` transaction under an exclusive `flock` on
///   `state.lock` (``FileLock``), and a process waits up to the busy timeout for its turn, so
///   hundreds of concurrent processes decide one after the other;
/// - the schema is versioned (GRDB's `DatabaseMigrator`); creating or migrating it happens
///   under the same lock, as the migrator itself assumes one process;
/// - files are created mode 0600 in a directory created mode 0700;
/// - a short-lived process checkpoints and truncates a WAL of 512 KiB or more as it ends
///   (``checkpointAtExit()``).
public final class SQLiteStateStore: StateStore {
    /// The database file's name in the state directory.
    public static let fileName = "state.db"
    static let lockName = "state.lock"
    /// The bounds of the history (see ``StateLimits``).
    static let maxDeliveries = StateLimits.maxDeliveries
    static let maxCheckRuns = StateLimits.maxCheckRuns
    static let checkRunRetention = StateLimits.checkRunRetention

    public let path: String
    /// The `flock` every writer holds around its transaction (see ``FileLock``).
    let lockPath: String
    public let busyTimeout: Duration
    /// One connection (a `DatabaseQueue`) for a short-lived process; a writer and concurrent
    /// readers (a `DatabasePool`) for `serve`.
    let queue: any DatabaseWriter
    /// How the writer waits for other processes; told not to wait while truncating the WAL.
    let busyWait: BusyWait
    /// True in a short-lived process: ``checkpointAtExit()`` truncates the WAL.
    let truncatesWAL: Bool
    /// In `serve`, the read-only connection that answers ``commitVersion()``: SQLite's
    /// `data_version` counts the commits of the connections other than the one asking.
    let versions: DatabaseQueue?

    /// Why a short-lived process checkpoints and truncates the WAL as it ends, once the WAL
    /// has grown past ``exitCheckpointBytes`` (every ten `send`s or so) and not every time:
    ///
    /// - a process that opens the file while no other connection has it open (every `send`
    ///   but in a storm) rebuilds the WAL index by reading every frame of the WAL; after that
    ///   rebuild SQLite counts no frame as checkpointed, so with one write per process the WAL
    ///   would grow to the 1000-page automatic checkpoint (4 MB), and reading it was most of
    ///   what the store cost a `send`; 512 KiB at most reads in a fraction of a millisecond;
    /// - a checkpoint and the restart of the WAL after it cost four syncs (the WAL, the
    ///   database, the new WAL's header and its directory), about 1.3 ms of a `send` here and
    ///   far more on a busy disk: paid by one process in ten, not by each.
    ///
    /// The history is then in `state.db` and `state.db-wal` together (copy both, or use
    /// `sqlite3 state.db .backup`); the WAL never holds more than the last few commands'.
    static let exitCheckpointBytes: Int = 512 * 1024

    /// In `serve`, the WAL length (pages) at which a commit checkpoints (see ``openPool(path:wait:)``).
    static let serverCheckpointPages = 500

    public var location: String { path }

    /// Opens (creating it and its directory if needed) the store in `directory`.
    ///
    /// With `concurrentReads` (a long-running server), reads run on their own connections,
    /// beside each other and beside the writer; a one-shot process needs only one connection.
    public init(directory: String, busyTimeout: Duration = .seconds(5), concurrentReads: Bool = false) throws(StateError) {
        try StateDirectory.prepare(directory)
        path = directory + "/" + Self.fileName
        lockPath = directory + "/" + Self.lockName
        self.busyTimeout = busyTimeout
        busyWait = BusyWait(timeout: busyTimeout)
        truncatesWAL = !concurrentReads
        try Self.createFileIfMissing(path)
        let single = try Self.openQueue(path: path, wait: busyWait, readOnly: false)
        try Self.migrateIfNeeded(single, path: path, lockPath: lockPath, busyTimeout: busyTimeout)
        // The file is in WAL mode and migrated now: a pool opens it as it is.
        queue = concurrentReads ? try Self.openPool(path: path, wait: busyWait) : single
        versions = concurrentReads ? try Self.openQueue(path: path, wait: busyWait, readOnly: true) : nil
    }

    /// Opens an existing store read-only (for `status`); nil when there is none yet. With
    /// `upgrade`, a store an older version wrote is first brought up to date, as any writer
    /// would (when this user may write it); without, it is reported (`send --dry-run`, which
    /// changes nothing).
    public init?(readOnlyIn directory: String, busyTimeout: Duration = .seconds(5), upgrade: Bool = true) throws(StateError) {
        path = directory + "/" + Self.fileName
        lockPath = directory + "/" + Self.lockName
        self.busyTimeout = busyTimeout
        busyWait = BusyWait(timeout: busyTimeout)
        truncatesWAL = false
        versions = nil
        guard access(path, F_OK) == 0 else {
            // No store yet is an empty report; a file where the directory should be, or a
            // directory this user may not search, is a store that cannot be used.
            if errno == ENOENT { return nil }
            let reason = errno == ENOTDIR ? "not a directory" : StateDirectory.describe(errno: errno)
            throw .unusableDirectory(path: directory, reason: reason)
        }
        let path = path
        func open() throws(StateError) -> (DatabaseQueue, Int) {
            let queue = try Self.openQueue(path: path, wait: BusyWait(timeout: busyTimeout), readOnly: true)
            do {
                return (queue, try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 })
            } catch {
                throw Self.stateError(error, path: path, busyTimeout: busyTimeout)
            }
        }
        var (opened, version) = try open()
        if upgrade, version > 0 && version < Schema.version, (try? SQLiteStateStore(directory: directory, busyTimeout: busyTimeout)) != nil {
            // An older store: upgraded as any writer would (when this user may write it), then read.
            (opened, version) = try open()
        }
        queue = opened
        if version > Schema.version { throw .newerSchema(path: path) }
        if version == 0 { return nil }  // created, not migrated yet: nothing in it
        guard version == Schema.version else {
            throw .failed(path: path, reason: "written by an older smspartner-notify (schema \(version)); a send or flush by a user who may write it upgrades it")
        }
    }

    public func write<T>(_ body: (any StateTransaction) throws(StateError) -> T) throws(StateError) -> T {
        let lock = try FileLock(path: lockPath, timeout: busyTimeout)
        defer { lock.unlock() }
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteTransaction(db: db, path: path))
                    return .commit
                }
                guard let result else { throw StateError.failed(path: path, reason: "the transaction did not complete") }
                return result
            }
        } catch {
            throw Self.stateError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    public func read<T>(_ body: (any StateReader) throws(StateError) -> T) throws(StateError) -> T {
        do {
            return try queue.read { db in try body(SQLiteTransaction(db: db, path: path)) }
        } catch {
            throw Self.stateError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// `PRAGMA data_version` on a connection of its own (a read of the WAL index, in shared
    /// memory); nil in a short-lived process, which has no use for it.
    public func commitVersion() throws(StateError) -> Int64? {
        guard let versions else { return nil }
        do {
            // Outside a transaction: the pragma opens and ends its own read.
            return try versions.unsafeRead { db in
                try Row.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")).map { $0[0] }
            }
        } catch {
            throw Self.stateError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// In a short-lived process, as it ends cleanly: checkpoints the WAL into the database file
    /// and truncates it, when it holds ``exitCheckpointBytes`` or more.
    ///
    /// Called once the command's work is done, so it never delays a request. It never waits:
    /// when another process holds the writers' lock or is reading (a storm), it gives up at
    /// once and a later process does it. Every transaction is committed already, so a failure
    /// or a `kill -9` here changes nothing but where the history lies until the next one.
    public func checkpointAtExit() {
        guard truncatesWAL else { return }
        var info = stat()
        guard stat(path + "-wal", &info) == 0, info.st_size >= Self.exitCheckpointBytes else { return }
        guard let lock = FileLock.tryLock(path: lockPath) else { return }
        defer { lock.unlock() }
        busyWait.withoutWaiting {
            _ = try? queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        }
    }

    // MARK: - Opening

    static func openQueue(path: String, wait: BusyWait, readOnly: Bool) throws(StateError) -> DatabaseQueue {
        do {
            return try DatabaseQueue(path: path, configuration: configuration(wait: wait, readOnly: readOnly))
        } catch {
            throw stateError(error, path: path, busyTimeout: wait.timeout)
        }
    }

    static func openPool(path: String, wait: BusyWait) throws(StateError) -> DatabasePool {
        var configuration = configuration(wait: wait, readOnly: false)
        configuration.maximumReaderCount = 4
        // The commit that reaches this many WAL pages checkpoints (two syncs) before its
        // request is answered: half SQLite's 1000 makes each of those stalls half as long.
        // Measured (bench-serve, new alerts one at a time): p99 4.2 ms against 5.1 ms, for
        // ~5% fewer requests per second. A checkpoint off the request path, on a connection
        // of its own every second, measured worse (7.5-9 ms): its syncs held up the commits.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.serverCheckpointPages)") }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw stateError(error, path: path, busyTimeout: wait.timeout)
        }
    }

    static func configuration(wait: BusyWait, readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        // Nothing relies on SQLite checking foreign keys (pruning deletes in order): spare
        // every insert the check.
        configuration.foreignKeysEnabled = false
        configuration.busyMode = .callback { tries in wait.shouldRetry(afterTries: tries) }
        configuration.label = "smspartner-notify state"
        configuration.prepareDatabase { db in
            // Per connection. In WAL mode NORMAL syncs at checkpoints only: a commit then
            // survives any process crash, which is what `kill -9` at any moment needs.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A short-lived process must not checkpoint and delete the WAL as it closes (it
            // syncs twice, and a storm's processes would take turns at it): it truncates a
            // long WAL as it ends instead (see `checkpointAtExit()`).
            let code = csqlite_no_checkpoint_on_close(db.sqliteConnection, 1)
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot keep the WAL on close")
            }
        }
        return configuration
    }

    /// Creates the database file mode 0600, or 0660 in a group-writable directory (see
    /// ``StateDirectory/openCreating(_:)``), leaving an existing file as it is.
    static func createFileIfMissing(_ path: String) throws(StateError) {
        let fd = StateDirectory.openCreating(path)
        if fd >= 0 {
            close(fd)
            return
        }
        let code = errno
        if code == EACCES || code == EROFS || code == EPERM {
            // A file we may read but not write: a read-only store (found when writing).
            if access(path, R_OK) == 0 { return }
        }
        throw .cannotOpen(path: path, reason: StateDirectory.describe(errno: code))
    }

    /// Brings the schema up to date. Fast path: `PRAGMA user_version`, one read that needs no
    /// table. Slow path (a new or older file): under the exclusive lock, switch to WAL, run
    /// the migrations that are missing, then record the version.
    static func migrateIfNeeded(_ queue: DatabaseQueue, path: String, lockPath: String, busyTimeout: Duration) throws(StateError) {
        do {
            let version = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            if version > Schema.version { throw StateError.newerSchema(path: path) }
            if version == Schema.version { return }
            let lock = try FileLock(path: lockPath, timeout: busyTimeout)
            defer { lock.unlock() }
            let needed = try queue.writeWithoutTransaction { db -> Bool in
                // Another process may have migrated while this one waited for the lock.
                db.clearSchemaCache()
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if version > Schema.version { throw StateError.newerSchema(path: path) }
                if version == Schema.version { return false }
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else {
                    throw StateError.failed(path: path, reason: "cannot switch to WAL mode (journal_mode is \(mode ?? "unknown"))")
                }
                return true
            }
            guard needed else { return }
            try Schema.migrator.migrate(queue)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = \(Schema.version)") }
        } catch {
            throw Self.stateError(error, path: path, busyTimeout: busyTimeout)
        }
    }

    /// Any failure, as a ``StateError`` naming the database.
    static func stateError(_ error: any Error, path: String, busyTimeout: Duration) -> StateError {
        if let error = error as? StateError { return error }
        guard let error = error as? DatabaseError else {
            return .failed(path: path, reason: "\(error)")
        }
        let reason = error.message ?? "SQLite error \(error.extendedResultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path, waited: busyTimeout)
        case .SQLITE_READONLY: return .readOnly(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .corrupt(path: path, reason: reason)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: return .cannotOpen(path: path, reason: reason)
        case .SQLITE_FULL: return .full(path: path)
        default: return .failed(path: path, reason: reason)
        }
    }
}
