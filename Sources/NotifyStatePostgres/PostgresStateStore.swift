import Logging
import NotifyState
import PostgresNIO
import Synchronization
import _ConnectionPoolModule

/// The state on a PostgreSQL server, shared by several `serve` replicas and the commands of
/// several hosts: the same ``StateStore`` semantics as ``SQLiteStateStore``.
///
/// - Connections come from postgres-nio's `PostgresClient` pool, which reconnects by itself:
///   while the server is down every use fails at once with ``StateError/unavailable(path:reason:)``
///   (transient: `serve` answers 503, a command fails open), as does every use of the second
///   that follows (``outageRecheck``); the first use after it is back succeeds.
/// - Every write transaction first takes a transaction-scoped advisory lock
///   (`pg_advisory_xact_lock`), the writers' lock SQLite's `BEGIN IMMEDIATE` is: of hundreds of
///   processes and replicas deciding about one alert, one decides at a time, so deduplication,
///   rate-limit windows and digests hold as they do on one host. It is released by the commit
///   or the rollback, never held by a session, so it works behind PgBouncer in transaction
///   mode.
/// - Rows that are unique by nature (the open page of a number about an alert, the active
///   escalation of an alert, resolved alert instances, heartbeats, checks of `run`) are unique
///   constraints, and outbox and receipt claims lock their rows (`FOR UPDATE SKIP LOCKED`) and
///   take a lease, as with SQLite.
/// - The schema is created and migrated by the first use of any process (``PostgresSchema``),
///   under another advisory lock: replicas starting together migrate once.
/// - A statement that gets no answer within the query timeout fails the transaction (its
///   connection is closed, so it cannot commit later): a hung server is never a hung page. A
///   statement on a connection the server dropped fails as the connection ends.
public final class PostgresStateStore: StateStore {
    /// The lock every write transaction takes first (see the type's documentation).
    static let writersLock: Int64 = 0x534D_5350_0001  // "SMSP" 1
    /// The lock of schema migrations.
    static let migrationLock: Int64 = 0x534D_5350_0002

    public let location: String
    /// How long a write waits for the writers' lock, and a use for a connection.
    public let busyTimeout: Duration
    /// How long a statement may go unanswered.
    let queryTimeout: Duration
    let client: PostgresClient
    let logger: Logger
    /// The pool's failures to connect (see ``ConnectionFailures``).
    let failures: ConnectionFailures
    private let runner: Task<Void, Never>
    /// Whether this process saw the schema up to date (it never goes back).
    private let migrated = Mutex(false)
    /// The server found down by a use (see ``outageRecheck``), and when.
    private let outage = Mutex<(at: ContinuousClock.Instant, error: StateError)?>(nil)
    /// Whether a use may create or migrate the schema (not `status` or a dry run).
    let migrates: Bool
    /// `SET LOCAL` of the server-side bounds, at the start of each transaction: a lock waited
    /// for longer than the busy timeout is `busy` (55P03), a runaway statement ends. Per
    /// transaction, not as startup parameters: PgBouncer in transaction mode refuses those,
    /// and would not keep them on the server connection of the next transaction anyway.
    let bounds: (lock: String, statement: String)

    /// Opens the store at `location`, authenticating with `password`. Connects nothing yet:
    /// the first use connects (and creates or migrates the schema), so a replica starts while
    /// the database is down and serves as soon as it is back.
    ///
    /// - Parameters:
    ///   - queryTimeout: how long one statement may go unanswered; by default 5 s more than
    ///     `busyTimeout` (a lock wait ends at `busyTimeout`, as `busy`).
    ///   - connections: the most connections this process opens (`serve`: its request threads
    ///     and workers; a command: one or two).
    ///   - trustRoots: a PEM file of the certificate authorities that sign the server's
    ///     certificate (else the system's); the certificate and the host name are always verified.
    ///   - migrates: whether a use may create or migrate the schema; without, an older schema is
    ///     reported (`status`, dry runs change nothing).
    public init(_ location: PostgresLocation, password: String?, busyTimeout: Duration = .seconds(5),
                queryTimeout: Duration? = nil, connections: Int = 4, trustRoots: String? = nil, migrates: Bool = true) {
        self.location = location.description
        self.busyTimeout = busyTimeout
        let queryTimeout = queryTimeout ?? busyTimeout + .seconds(5)
        self.queryTimeout = queryTimeout
        self.migrates = migrates
        bounds = ("\(max(busyTimeout.wholeMilliseconds, 1))", "\(max(queryTimeout.wholeMilliseconds, 1))")
        let failures = ConnectionFailures()
        self.failures = failures
        logger = Logger(label: "smspartner-notify.postgres", factory: { _ in failures.logHandler() })
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: password ?? location.password,
            database: location.database, tls: Self.tls(location.tls, trustRoots: trustRoots))
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = max(connections, 1)
        configuration.options.minimumConnections = 0
        // PgBouncer passes application_name on; the bounds are set per transaction (``bounds``).
        configuration.options.additionalStartupParameters = [("application_name", "smspartner-notify")]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task.detached(executorPreference: PostgresExecutor.shared) { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// TLS as `sslmode` asks, with the server's certificate and host name verified (against
    /// `trustRoots` when given, else the system's authorities): unlike libpq's `require`, a
    /// certificate nobody vouches for is refused, never used unverified.
    static func tls(_ mode: PostgresLocation.TLSMode, trustRoots: String?) -> PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let trustRoots { configuration.trustRoots = .file(trustRoots) }
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(configuration)
        case .require: return .require(configuration)
        }
    }

    // MARK: StateStore

    public func write<T>(_ body: (any StateTransaction) throws(StateError) -> T) throws(StateError) -> T {
        try transaction(writing: true, commit: true) { (transaction) throws(StateError) in try body(transaction) }
    }

    public func read<T>(_ body: (any StateReader) throws(StateError) -> T) throws(StateError) -> T {
        try transaction(writing: false, commit: true) { (transaction) throws(StateError) in try body(transaction) }
    }

    /// A hash of the server's current snapshot (`pg_current_snapshot()`: the oldest transaction
    /// still running, the next transaction id, and those in progress). Any transaction that
    /// writes gets an id, so one that began or committed since the last call, by any replica
    /// or command, changes it; a transaction that only read (or only took the writers' lock)
    /// does not. Another database of the same server writing changes it too: a needless miss
    /// of `serve`'s replay cache, never a stale answer.
    public func commitVersion() throws(StateError) -> Int64? {
        try withConnection { (connection) throws(StateError) in
            let transaction = PostgresTransaction(connection: connection, store: self)
            let row = try transaction.row("SELECT pg_current_snapshot()::text AS snapshot")
            guard let snapshot = try transaction.decode(row, { try $0("snapshot", as: String.self) }) else { return nil }
            // FNV-1a, 64 bits: the same text, the same number, in every process.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in snapshot.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            return Int64(bitPattern: hash)
        }
    }

    public func probeWrite(_ value: String, for key: String, keep: Bool) throws(StateError) {
        try transaction(writing: true, commit: keep) { (transaction) throws(StateError) in try transaction.setValue(value, for: key) }
    }

    /// Whether the database has the tool's tables yet, without creating them (what `status` and
    /// dry runs read: a database no process used is an empty report, and stays untouched).
    public func hasSchema() throws(StateError) -> Bool {
        let version = try withConnection { (connection) throws(StateError) in
            try PostgresSchema.currentVersion(PostgresTransaction(connection: connection, store: self))
        }
        // Seen current: the first use need not read the version again.
        if version == PostgresSchema.version { migrated.withLock { $0 = true } }
        return version != nil
    }

    /// Runs `body` in one transaction on a leased connection: a write one behind the writers'
    /// lock, or a read-only snapshot; committed when `commit` and `body` returns, else rolled back.
    func transaction<T>(writing: Bool, commit: Bool, _ body: (PostgresTransaction) throws(StateError) -> T) throws(StateError) -> T {
        var progress = (leased: false, began: false)
        do {
            return try transaction(writing: writing, commit: commit, progress: &progress, body)
        } catch .unavailable where progress.leased && !progress.began {
            // A pooled connection the server closed (it restarted) fails as it is first used:
            // nothing ran on it, so once more on another, which the pool opens anew. (Not when
            // no connection came: that wait is not doubled.)
            progress = (false, false)
            return try transaction(writing: writing, commit: commit, progress: &progress, body)
        }
    }

    private func transaction<T>(writing: Bool, commit: Bool, progress: inout (leased: Bool, began: Bool),
                                _ body: (PostgresTransaction) throws(StateError) -> T) throws(StateError) -> T
    {
        try withConnection { (connection) throws(StateError) in
            progress.leased = true
            let transaction = PostgresTransaction(connection: connection, store: self)
            let result: T
            do throws(StateError) {
                try migrateIfNeeded(transaction)
                if writing {
                    // At once: one round trip. READ COMMITTED whatever the server's default:
                    // each statement after the lock must see what the previous holder committed
                    // (a snapshot taken before the wait would decide on stale facts).
                    try transaction.pipeline(
                        ("BEGIN ISOLATION LEVEL READ COMMITTED", []),
                        ("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
                         [bounds.lock, bounds.statement]),
                        ("SELECT pg_advisory_xact_lock($1)", [Self.writersLock]),
                    )
                } else {
                    try transaction.pipeline(
                        ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", []),
                        ("SELECT set_config('statement_timeout', $1, true)", [bounds.statement]),
                    )
                }
                progress.began = true
                result = try body(transaction)
            } catch {
                // Never hand the pool a connection inside a transaction; outside one, ROLLBACK
                // only warns.
                transaction.rollback(after: error)
                throw error
            }
            if commit {
                // A transaction a failed statement aborted (one whose error a caller caught and
                // went on) answers COMMIT with ROLLBACK, and no error: it must not pass for done.
                let committed = try transaction.query("COMMIT").metadata.command
                guard committed == "COMMIT" else {
                    throw .failed(path: location, reason: "the transaction was rolled back (a statement in it failed): nothing of it was kept")
                }
            } else {
                transaction.rollback()
            }
            return result
        }
    }

    /// How long a use waits for a connection at most: the pool keeps trying a server that is
    /// down without failing the waiting uses, and a page must not wait the whole busy timeout
    /// to be sent without state. A healthy server gives one in milliseconds (the writers' lock
    /// is waited for on the server, up to ``busyTimeout``).
    var connectionWait: Duration { .seconds(5) }

    /// For how long a server found down stays down for the uses that follow: they fail at once
    /// with the same error instead of each waiting for the pool's next attempt (which backs
    /// off: up to ``connectionWait`` each). Under an outage, `serve`'s few request threads
    /// would otherwise queue behind those waits, and a 503 would come after Alertmanager gave
    /// up on it. The first use after this asks the pool again.
    static let outageRecheck = Duration.seconds(1)

    /// Leases a connection for `body`, waiting at most ``connectionWait`` for one.
    func withConnection<T>(_ body: (PostgresConnection) throws(StateError) -> T) throws(StateError) -> T {
        let clock = ContinuousClock()
        if let known = outage.withLock({ $0 }), clock.now - known.at < Self.outageRecheck {
            throw known.error
        }
        let lease = ConnectionLease()
        let task = Task.detached(executorPreference: PostgresExecutor.shared) { [client] in
            do {
                try await client.withConnection { connection in await lease.lend(connection) }
            } catch {
                lease.fail(error)
            }
        }
        // No connection came: remembered when it says the server is down.
        func refused(_ error: StateError) -> StateError {
            if case .unavailable = error { outage.withLock { $0 = (clock.now, error) } }
            return error
        }
        let start = clock.now
        let since = failures.sequence
        while true {
            switch lease.wait(timeout: .milliseconds(50)) {
            case .connection(let connection):
                defer { lease.giveBack() }
                outage.withLock { $0 = nil }
                return try body(connection)
            case .failed(let error):
                // The pool stops trying for a while after a minute of failures (its circuit
                // breaker): why it failed is what it last said.
                if error is ConnectionPoolError, let last = failures.last {
                    throw refused(Self.connectionError(last.text, location: location, waited: connectionWait))
                }
                throw refused(Self.stateError(error, location: location, busyTimeout: busyTimeout))
            case nil:
                // The pool retries a server that refuses it without failing this use: a
                // failure to connect logged meanwhile that settles it (refused: the server is
                // down; a password, a database, a certificate refused) is this use's at once.
                // Another (a connection that timed out on a busy machine) is retried by the
                // pool until the wait is over. A server out of connection slots (a storm of
                // commands) is waited for like a lock, for the whole busy timeout: the slots
                // free up as the others finish.
                let failure = failures.failure(after: since)
                let crowded = failure.map { Self.isCrowded($0.text) } ?? false
                let waited = clock.now - start
                if crowded {
                    guard waited >= busyTimeout else { continue }
                    task.cancel()
                    lease.abandon()
                    throw .busy(path: location, waited: busyTimeout)
                }
                let settled = failure.map { Self.isSettled($0.text) } ?? false
                guard settled || waited >= connectionWait else { continue }
                task.cancel()
                lease.abandon()
                throw refused(Self.connectionError(failure?.text ?? failures.last?.text, location: location, waited: connectionWait))
            }
        }
    }

    /// postgres-nio's code of a failure to connect (`connectionError`, `timeout`…) and, for a
    /// socket error, its words: the description without addresses or server fields.
    static func shortReason(_ failure: String) -> String {
        var words: [Substring] = []
        if let code = failure.range(of: "code: ") {
            words.append(failure[code.upperBound...].prefix { $0.isLetter || $0.isNumber })
        }
        if let reason = failure.range(of: "description: \"") {
            words.append(failure[reason.upperBound...].prefix { $0 != "\"" }.prefix(80))
        }
        return words.isEmpty ? "unknown" : words.joined(separator: ", ")
    }

    /// Whether a failure to connect says trying again now would fail the same way: the server
    /// refused the connection (it is down) or the credentials, the database or its certificate.
    static func isSettled(_ failure: String) -> Bool {
        if case .cannotOpen = connectionError(failure, location: "", waited: .zero) { return true }
        return failure.contains("refused")
    }

    /// Whether a failure to connect says the server has no connection slot left now (53300)
    /// or is starting (57P03): a wait, not an outage.
    static func isCrowded(_ failure: String) -> Bool {
        failure.contains("sqlState: 53300") || failure.contains("sqlState: 57P03")
    }

    /// Why no connection came: the pool's last failure to connect (postgres-nio's description
    /// of it), or none within `waited`.
    static func connectionError(_ failure: String?, location: String, waited: Duration) -> StateError {
        guard let failure else { return .unavailable(path: location, reason: "no connection within \(waited.components.seconds) s") }
        for (code, reason) in [
            ("28P01", "the server refused the password: check state.password_file"),
            ("28000", "the server refused this user or host (pg_hba.conf): check state.url"),
            ("3D000", "the database does not exist: create it, or check state.url"),
        ] where failure.contains("sqlState: " + code) {
            return .cannotOpen(path: location, reason: reason)
        }
        if failure.contains("authMechanism") || failure.contains("saslError") || failure.contains("unsupportedAuth") {
            return .cannotOpen(path: location, reason: "authentication failed: check the user, state.password_file and the server's pg_hba.conf")
        }
        if failure.contains("sslUnsupported") {
            return .cannotOpen(path: location, reason: "the server does not offer TLS, which sslmode=require asks for")
        }
        if failure.contains("NIOSSL") || failure.contains("certificate") || failure.contains("BoringSSL") {
            return .cannotOpen(path: location, reason: "TLS failed: the server's certificate is not trusted for this host (state.ca_file, or sslmode)")
        }
        if failure.contains("refused") { return .unavailable(path: location, reason: "connection refused") }
        if failure.contains("sqlState: 57P") { return .unavailable(path: location, reason: "the database system is starting up or shutting down") }
        if failure.contains("sqlState: 53300") { return .unavailable(path: location, reason: "too many connections") }
        return .unavailable(path: location, reason: "cannot connect: \(shortReason(failure))")
    }

    /// Creates or migrates the schema once per process (see ``PostgresSchema``); without
    /// ``migrates``, only checks it is current.
    func migrateIfNeeded(_ transaction: PostgresTransaction) throws(StateError) {
        guard !migrated.withLock({ $0 }) else { return }
        if migrates {
            try PostgresSchema.migrate(transaction)
        } else {
            let version = try PostgresSchema.currentVersion(transaction) ?? 0
            if version > PostgresSchema.version { throw .newerSchema(path: location) }
            guard version == PostgresSchema.version else {
                throw .failed(path: location, reason: "written by an older smspartner-notify (schema \(version)); a send or serve upgrades it")
            }
        }
        migrated.withLock { $0 = true }
    }

    // MARK: Errors

    /// Any failure of the client or the server, as a ``StateError`` naming the database
    /// (never its password: neither postgres-nio's errors nor the server's messages carry it).
    static func stateError(_ error: any Error, location: String, busyTimeout: Duration) -> StateError {
        if let error = error as? StateError { return error }
        if error is CancellationError || error is ConnectionPoolError {
            // The pool gave up on the server for now (after a minute of failures, or as it shuts
            // down); withConnection(_:) names the last failure to connect when there was one.
            return .unavailable(path: location, reason: "no connection")
        }
        guard let error = error as? PSQLError else {
            return .failed(path: location, reason: String(describing: error))
        }
        guard let info = error.serverInfo, let state = info[.sqlState] else {
            switch error.code {
            case .server, .messageDecodingFailure, .unexpectedBackendMessage, .invalidCommandTag, .tooManyParameters:
                return .failed(path: location, reason: "\(error.code)")
            case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
                return .cannotOpen(path: location, reason: "authentication: \(error.code); check the user and password_file")
            default:
                // Connection refused, closed, reset, TLS failures…: the server may come back.
                let underlying = error.underlying.map { ": \($0)" } ?? ""
                return .unavailable(path: location, reason: "\(error.code)\(underlying)")
            }
        }
        let message = info[.message] ?? "SQLSTATE \(state)"
        switch state {
        case "23505" where info[.constraintName] == "delivery_decided_once":
            // Another decider recorded the same alert first, outside the writers' lock: trying
            // again finds its decision (a duplicate), as after a lock wait.
            return .busy(path: location, waited: busyTimeout)
        case "55P03", "40001", "40P01", "57014":  // lock timeout, serialization, deadlock, statement timeout
            return .busy(path: location, waited: busyTimeout)
        case "53100":
            return .full(path: location)
        case "42501":
            return .readOnly(path: location)
        case "25006", "25P03":
            // A standby (after a failover, the old primary), an idle transaction ended: transient.
            return .unavailable(path: location, reason: message)
        case _ where state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("53") || state.hasPrefix("58"):
            // Connection exceptions, shutdown and startup, out of resources, I/O errors.
            return .unavailable(path: location, reason: message)
        case _ where state.hasPrefix("28") || state == "3D000":
            return .cannotOpen(path: location, reason: message)
        default:
            return .failed(path: location, reason: "\(message) (SQLSTATE \(state))")
        }
    }
}
