import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster on loopback for the tests: `initdb` in a temporary directory,
/// then the `postgres` server itself as a child of the test process (not `pg_ctl`'s detached
/// daemon), so the test holds the postmaster's PID and stops, kills and restarts it by that PID.
///
/// The binaries are the newest `/usr/lib/postgresql/VERSION/bin` (Debian's `postgresql-15`).
/// `initdb` and `postgres` refuse to run as root: when the tests run as root (here and in CI),
/// the server runs as the `postgres` system user (`setpriv`, which keeps the PID, unlike
/// `runuser`), in a data directory and a socket directory owned by that user. The server listens
/// on 127.0.0.1 only, on a free port, with 200 connections and nothing synced to disk (`fsync`
/// and `full_page_writes` off: a crash of the machine, not of the server, would lose the
/// cluster; see ``init(asynchronousCommit:)`` for `synchronous_commit`). It knows a role
/// ``user`` with the password ``password`` (also in ``passwordFile``), which owns the database
/// ``database``; the superuser ``superuser`` is for the harness (``psql(_:database:asUser:)``,
/// ``createDatabase(_:)``).
///
/// The children get none of the test runner's descriptors (as `ChildDaemon`'s), an empty signal
/// mask and default signal dispositions; the postmaster gets SIGINT (a fast shutdown) if the
/// test process dies without stopping it. Every call blocks (a start ~1 s, ``restart()`` ~0.1 s,
/// ``psql(_:database:asUser:)`` ~30 ms; ``pid`` and ``isRunning`` wait for a stop or a restart
/// in progress): from async code, run them through ``OwnThread/run(_:)``.
public final class PostgresCluster: Sendable {
    /// How ``stop(_:timeout:)`` asks the postmaster to stop: PostgreSQL's three shutdown modes.
    public enum ShutdownMode: Sendable {
        /// SIGTERM: refuses new connections, then waits for the connected clients to leave.
        case smart
        /// SIGINT: ends every session (their transactions roll back), checkpoints and exits:
        /// `pg_ctl stop`'s and Debian's `pg_ctlcluster`'s default.
        case fast
        /// SIGQUIT: every process exits at once, without a checkpoint; the next start recovers
        /// from the WAL, as after a crash.
        case immediate

        fileprivate var signal: Int32 {
            switch self {
            case .smart: SIGTERM
            case .fast: SIGINT
            case .immediate: SIGQUIT
            }
        }
    }

    /// Why the cluster could not be set up, started or used.
    public enum Failure: Error, CustomStringConvertible {
        /// What is missing, and how to get it.
        case notInstalled(String)
        /// A system call failed: what, and `errno`.
        case system(String, Int32)
        /// A command exited with a failure: its command line, how it ended, what it printed.
        case commandFailed(String, status: String, output: String)
        /// A command ran too long (it was killed): its command line, what it printed.
        case timedOut(String, after: Duration, output: String)
        /// The postmaster exited while starting: how, and the tail of its log.
        case serverExited(status: String, log: String)
        /// The postmaster did not accept connections in time (it was killed): the tail of its log.
        case serverNotReady(port: Int, after: Duration, log: String)
        /// A name ``createDatabase(_:)`` does not take.
        case invalidDatabaseName(String)
        /// ``shutdown()`` removed the cluster.
        case removed

        public var description: String {
            switch self {
            case .notInstalled(let what): what
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            case .commandFailed(let command, let status, let output): "\(command): \(status)\n\(output)"
            case .timedOut(let command, let after, let output): "\(command): still running after \(after), killed\n\(output)"
            case .serverExited(let status, let log): "postgres exited while starting (\(status)); the end of its log:\n\(log)"
            case .serverNotReady(let port, let after, let log):
                "postgres did not accept connections on 127.0.0.1:\(port) within \(after) (killed); the end of its log:\n\(log)"
            case .invalidDatabaseName(let name):
                "invalid database name \(name.debugDescription): 1 to 63 ASCII letters, digits, '_' or '-'"
            case .removed: "the cluster was shut down and its directory removed"
            }
        }
    }

    // MARK: - The installation

    /// `SMSPARTNER_SKIP_POSTGRES=1`: skip the suites that need PostgreSQL (a machine without it).
    public static let skipRequested = ProcessInfo.processInfo.environment["SMSPARTNER_SKIP_POSTGRES"] == "1"

    /// The newest `/usr/lib/postgresql/VERSION/bin` with the binaries the harness runs; nil if none.
    public static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int($0) }.sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { directory in
            ["initdb", "pg_ctl", "postgres", "psql", "pg_isready"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: directory + "/" + $0)
            }
        }
    }()

    /// util-linux's `setpriv`: runs the server as `postgres` when root, with a parent-death signal.
    fileprivate static let setpriv = "/usr/bin/setpriv"

    /// The system user the server runs as when the tests run as root (Debian's package creates it).
    fileprivate static let serverUser = "postgres"

    /// Whether a cluster can start here: PostgreSQL's server binaries (Debian: `apt-get install
    /// postgresql`), `setpriv` and, when running as root, the `postgres` user.
    public static var isInstalled: Bool {
        binDirectory != nil && FileManager.default.isExecutableFile(atPath: setpriv)
            && (geteuid() != 0 || (try? Account.named(serverUser)) != nil)
    }

    /// Why ``isInstalled`` is false, to show in a test's failure.
    public static let installHint =
        "PostgreSQL's server was not found in /usr/lib/postgresql/*/bin (or no postgres user, or no \(setpriv)): "
        + "apt-get install postgresql (CI installs it), or set SMSPARTNER_SKIP_POSTGRES=1 to skip these tests"

    // MARK: - The process-wide cluster

    private static let sharedCluster = Mutex<Result<PostgresCluster, any Error>?>(nil)

    /// One cluster for the whole test process, for tests that only need a database of their
    /// own (``createDatabase(_:)`` or ``createUniqueDatabase(prefix:)``): started by the first
    /// call (the others wait for it), shut down and removed when the process exits. A failure
    /// to start is kept: every later call throws it at once.
    public static func shared() throws -> PostgresCluster {
        try sharedCluster.withLock { cached in
            if let cached { return try cached.get() }
            let result = Result { try PostgresCluster() }
            if case .success = result { atexit { PostgresCluster.shutdownShared() } }
            cached = result
            return try result.get()
        }
    }

    /// The `atexit` handler of ``shared()``.
    private static func shutdownShared() {
        if case .success(let cluster) = sharedCluster.withLock({ $0 }) { cluster.shutdown() }
    }

    // MARK: - The cluster

    /// Where the server listens (TCP only on this address).
    public let host = "127.0.0.1"
    /// The server's port, the same across ``restart()``s.
    public let port: Int
    /// The role of the product under test, owner of ``database`` and of every ``createDatabase(_:)``.
    public let user = "notify"
    /// ``user``'s password (random, per cluster).
    public let password: String
    /// The database created with the cluster.
    public let database = "notify"
    /// A file (mode 0600) holding ``password`` and a newline, for a `password_file` setting.
    public let passwordFile: String
    /// The superuser, for the harness and the tests' inspection.
    public let superuser = "postgres"
    /// ``superuser``'s password (random, per cluster).
    public let superuserPassword: String
    /// The server's standard output and error, every start's appended.
    public let logPath: String
    /// The cluster's data directory.
    public let dataDirectory: String

    /// `postgres://notify@127.0.0.1:PORT/notify`: ``database`` as ``user``, without the password.
    public var url: String { url(database: database) }

    /// The postmaster's PID: the running one's, or the last one's once stopped.
    public var pid: pid_t { state.withLock { $0.pid } }

    private let server: Server
    private let state: Mutex<State>

    private struct State {
        var pid: pid_t
        var running = true
        var removed = false
    }

    /// Creates the cluster in a new temporary directory and starts it; returns once it accepts
    /// connections, with ``user`` and ``database`` created.
    ///
    /// `asynchronousCommit`: `synchronous_commit=off`, a commit returns before its WAL is even
    /// written out of the server's memory, so ``kill9()`` loses the last ~0.6 s of committed
    /// transactions (9 rows of 10 committed just before it, when measured). By default commits
    /// are written to the kernel (not synced: `fsync=off`) and survive ``kill9()``, as they
    /// survive a crash of a real server; what it costs with `fsync=off` is a `write` per commit.
    public init(asynchronousCommit: Bool = false) throws {
        guard let bin = Self.binDirectory, FileManager.default.isExecutableFile(atPath: Self.setpriv) else {
            throw Failure.notInstalled(Self.installHint)
        }
        var account: Account?
        if geteuid() == 0 { account = try Account.named(Self.serverUser) }
        let scratch = try TemporaryDirectory(prefix: "smspartner-postgres")
        let server: Server
        let superuserPassword = Self.randomSecret()
        let password = Self.randomSecret()
        let passwordFile: String
        let started: (port: Int, pid: pid_t)
        do {
            passwordFile = try scratch.write("notify-password", password + "\n")
            guard chmod(passwordFile, 0o600) == 0 else { throw Failure.system("chmod \(passwordFile)", errno) }
            server = try Server(bin: bin, account: account, scratch: scratch, asynchronousCommit: asynchronousCommit)
            try server.initialize(superuserPassword: superuserPassword)
            started = try server.startOnFreePort()
        } catch {
            // Nothing runs (the server was killed, or never started): only the directory is left.
            scratch.remove()
            throw error
        }
        self.server = server
        self.port = started.port
        self.state = Mutex(State(pid: started.pid))
        self.superuserPassword = superuserPassword
        self.password = password
        self.passwordFile = passwordFile
        self.logPath = server.logPath
        self.dataDirectory = server.dataDirectory
        do {
            _ = try psql(
                """
                CREATE ROLE \(Self.quoted(user)) LOGIN PASSWORD '\(password)';
                CREATE DATABASE \(Self.quoted(database)) OWNER \(Self.quoted(user));
                """, database: "postgres")
        } catch {
            shutdown()
            throw error
        }
    }

    deinit {
        shutdown()
    }

    /// Whether the postmaster runs (it is reaped as soon as it is seen to have exited).
    public var isRunning: Bool {
        state.withLock { state in
            guard state.running else { return false }
            var status: Int32 = 0
            if waitpid(state.pid, &status, WNOHANG) == 0 { return true }
            state.running = false  // reaped now, or (ECHILD) already gone
            return false
        }
    }

    /// The server's log (every start's).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last `count` lines of the server's log.
    public func logTail(lines count: Int = 30) -> String { server.logTail(lines: count) }

    // MARK: - Databases and SQL

    /// `postgres://notify@127.0.0.1:PORT/NAME`: the database `name` as ``user``, without the password.
    public func url(database name: String) -> String {
        "postgres://\(user)@\(host):\(port)/\(name)"
    }

    /// Creates the empty database `name` (1 to 63 ASCII letters, digits, `_` or `-`), owned by
    /// ``user``; its URL (see ``url(database:)``). Throws if it exists already.
    @discardableResult
    public func createDatabase(_ name: String) throws -> String {
        let allowed = name.utf8.allSatisfy { $0.isASCIILetterOrDigit || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard (1...63).contains(name.utf8.count), allowed else { throw Failure.invalidDatabaseName(name) }
        _ = try psql("CREATE DATABASE \(Self.quoted(name)) OWNER \(Self.quoted(user))", database: "postgres")
        return url(database: name)
    }

    /// Creates an empty database owned by ``user`` under a new name (`PREFIX_` and 16 hex
    /// digits: tests sharing ``shared()`` cannot collide); its name and URL.
    public func createUniqueDatabase(prefix: String = "test") throws -> (name: String, url: String) {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let name = "\(prefix)_\(suffix)"
        return (name, try createDatabase(name))
    }

    /// Runs `sql` (one or more statements, each on its own, in autocommit) with `psql` over TCP
    /// in `database` (``database`` by default) as ``superuser``, or as ``user`` with ``password``
    /// when `asUser`, stopping at the first error (thrown, with psql's message); what the
    /// queries returned: one row a line, columns separated by `|`, no header, no trailing
    /// newline (`select 1` gives `1`).
    @discardableResult
    public func psql(_ sql: String, database: String? = nil, asUser: Bool = false) throws -> String {
        try server.psql(
            sql, database: database ?? self.database, port: port, user: asUser ? user : superuser,
            password: asUser ? password : superuserPassword)
    }

    /// Turns TLS on: `certificate` (PEM, with its chain) and `key` (PEM) are written into the
    /// data directory for the server's user (the key mode 0600, as PostgreSQL demands) and the
    /// configuration is reloaded (no restart). Password authentication stays as it was, over
    /// TLS or not: `sslmode` is the client's choice.
    public func enableTLS(certificate: String, key: String) throws {
        let certificatePath = dataDirectory + "/server.crt"
        let keyPath = dataDirectory + "/server.key"
        for (path, text, mode) in [(certificatePath, certificate, 0o644), (keyPath, key, 0o600)] {
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
                throw Failure.system("writing \(path)", errno)
            }
            if let account = server.account, chown(path, account.uid, account.gid) != 0 {
                throw Failure.system("chown \(account.name) \(path)", errno)
            }
        }
        try psql("""
            ALTER SYSTEM SET ssl_cert_file = '\(certificatePath)';
            ALTER SYSTEM SET ssl_key_file = '\(keyPath)';
            ALTER SYSTEM SET ssl = on;
            SELECT pg_reload_conf();
            """, database: "postgres")
    }

    // MARK: - Stopping and starting

    /// Stops the server by its PID with `mode` (a fast shutdown by default: a smart one would
    /// wait for a connection pool of the product under test to close), waiting for it to exit;
    /// after `timeout`, kills it and its processes as ``kill9()`` does. Nothing if it is not running.
    public func stop(_ mode: ShutdownMode = .fast, timeout: Duration = .seconds(10)) {
        state.withLock { state in stop(&state, mode: mode, timeout: timeout) }
    }

    /// Kills the postmaster and every server process it started with SIGKILL, by PID, and waits
    /// until they are gone: a crash. The next ``restart()`` recovers from the WAL. (The
    /// postmaster is frozen with SIGSTOP first so that it starts no process meanwhile; its
    /// children are killed too because, left alone, they would keep the shared memory and
    /// the restart would refuse to start until they noticed their parent's death.)
    public func kill9() {
        state.withLock { state in
            guard state.running else { return }
            server.killAll(state.pid)
            state.running = false
        }
    }

    /// Starts the server again, on the same port with the same data directory, and returns once
    /// it accepts connections; stops it first (fast shutdown) if it runs. Throws (with the end
    /// of the log) if it exits while starting, or does not accept connections within 30 s.
    public func restart() throws {
        try state.withLock { state in
            guard !state.removed else { throw Failure.removed }
            stop(&state, mode: .fast, timeout: .seconds(10))
            let pid = try server.launch(port: port)
            state.pid = pid
            state.running = true
            do {
                try server.waitUntilReady(pid: pid, port: port)
            } catch {
                server.killAll(pid)
                state.running = false
                throw error
            }
        }
    }

    /// Stops the server (immediate shutdown: nothing is kept) and removes the temporary
    /// directory. Safe to call twice; ``deinit`` calls it.
    public func shutdown() {
        state.withLock { state in
            stop(&state, mode: .immediate, timeout: .seconds(5))
            if !state.removed {
                state.removed = true
                server.scratch.remove()
            }
        }
    }

    private func stop(_ state: inout State, mode: ShutdownMode, timeout: Duration) {
        guard state.running else { return }
        state.running = false
        if kill(state.pid, mode.signal) == 0, Server.waitForExit(state.pid, within: timeout) != nil { return }
        server.killAll(state.pid)
    }

    // MARK: - Helpers

    /// `name` as an SQL identifier.
    private static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// 32 random hex digits.
    private static func randomSecret() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}

// MARK: - The server's files and processes

extension PostgresCluster {
    /// A user account's IDs.
    fileprivate struct Account: Sendable {
        let name: String
        let uid: uid_t
        let gid: gid_t

        /// The account `name`, by the reentrant lookup.
        static func named(_ name: String) throws -> Account {
            var buffer = [CChar](repeating: 0, count: 4096)
            let ids = buffer.withUnsafeMutableBufferPointer { storage -> (uid_t, gid_t)? in
                var entry = passwd()
                var found: UnsafeMutablePointer<passwd>?
                guard let base = storage.baseAddress, getpwnam_r(name, &entry, base, storage.count, &found) == 0, found != nil else {
                    return nil
                }
                return (entry.pw_uid, entry.pw_gid)
            }
            guard let ids else {
                throw Failure.notInstalled("no user \(name) to run PostgreSQL as (tests run as root): apt-get install postgresql creates it")
            }
            return Account(name: name, uid: ids.0, gid: ids.1)
        }
    }

    /// The cluster's directory, binaries and processes (what does not change once created).
    fileprivate struct Server: Sendable {
        let bin: String
        /// The server's account when the tests run as root; nil: this process's user.
        let account: Account?
        let scratch: TemporaryDirectory
        let dataDirectory: String
        let socketDirectory: String
        let logPath: String
        /// Where commands' outputs are written, then read.
        let outputDirectory: String
        /// `synchronous_commit`: `on` or `off`.
        let synchronousCommit: String

        init(bin: String, account: Account?, scratch: TemporaryDirectory, asynchronousCommit: Bool) throws {
            self.bin = bin
            self.account = account
            self.scratch = scratch
            synchronousCommit = asynchronousCommit ? "off" : "on"
            // The server's user must reach the directories inside, whatever the umask.
            guard chmod(scratch.root, 0o755) == 0 else { throw Failure.system("chmod \(scratch.root)", errno) }
            dataDirectory = try scratch.makeDirectory("data")
            socketDirectory = try scratch.makeDirectory("socket")
            outputDirectory = try scratch.makeDirectory("output")
            logPath = try scratch.write("postgres.log", "")
            for directory in [dataDirectory, socketDirectory] {
                guard chmod(directory, 0o700) == 0 else { throw Failure.system("chmod \(directory)", errno) }
                if let account, chown(directory, account.uid, account.gid) != 0 {
                    throw Failure.system("chown \(account.name) \(directory)", errno)
                }
            }
        }

        /// The environment of every command: nothing of the test process's (no `PG*` variable).
        func environment(password: String? = nil) -> [String: String] {
            var environment = ["PATH": "\(bin):/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "HOME": scratch.root]
            if let password { environment["PGPASSWORD"] = password }
            return environment
        }

        /// `command` as the server's user: through `setpriv`, which changes the IDs and execs
        /// (the PID stays the command's); with a parent-death signal when `deathSignal` is given
        /// (set after the IDs change, which would clear it).
        func asServerUser(_ command: [String], deathSignal: String? = nil) -> [String] {
            var prefix: [String] = []
            if let account {
                prefix += ["--reuid=\(account.uid)", "--regid=\(account.gid)", "--init-groups"]
            }
            if let deathSignal { prefix += ["--pdeathsig", deathSignal] }
            return prefix.isEmpty ? command : [setpriv] + prefix + ["--"] + command
        }

        /// `initdb`: UTF-8, locale C, password authentication (SCRAM) for every connection, the
        /// superuser `postgres` with `superuserPassword`, no fsync.
        func initialize(superuserPassword: String) throws {
            let passwordFile = try scratch.write("superuser-password", superuserPassword + "\n")
            defer { try? FileManager.default.removeItem(atPath: passwordFile) }
            guard chmod(passwordFile, 0o600) == 0 else { throw Failure.system("chmod \(passwordFile)", errno) }
            if let account, chown(passwordFile, account.uid, account.gid) != 0 {
                throw Failure.system("chown \(account.name) \(passwordFile)", errno)
            }
            let command = asServerUser([
                bin + "/initdb", "-D", dataDirectory, "-U", "postgres", "--pwfile=\(passwordFile)", "-A", "scram-sha-256",
                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
            ])
            _ = try run(command, timeout: .seconds(120))
        }

        /// Starts the postmaster on a free port and waits until it accepts connections: the port
        /// and its PID. The port may be taken between the check and the server's bind: another
        /// one then (three tries).
        func startOnFreePort() throws -> (port: Int, pid: pid_t) {
            var attempt = 1
            while true {
                let port = try RawConnection.freePort()
                let pid = try launch(port: port)
                do {
                    try waitUntilReady(pid: pid, port: port)
                    return (port, pid)
                } catch Failure.serverExited(_, let log) where attempt < 3 && log.contains("Address already in use") {
                    attempt += 1
                } catch {
                    killAll(pid)
                    throw error
                }
            }
        }

        /// Starts the postmaster on `port` (its output appended to the log), from the thread that
        /// spawns every postmaster; its PID.
        func launch(port: Int) throws -> pid_t {
            let command = asServerUser(
                [
                    bin + "/postgres", "-D", dataDirectory, "-p", "\(port)", "-k", socketDirectory,
                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=\(synchronousCommit)",
                    "-c", "full_page_writes=off", "-c", "max_connections=600", "-c", "shared_buffers=32MB",
                ], deathSignal: "INT")
            let environment = environment()
            return try PostmasterSpawner.spawn {
                try Self.spawn(command, environment: environment, directory: dataDirectory, output: logPath, append: true)
            }
        }

        /// Waits until the postmaster `pid` accepts connections on `port`: its `postmaster.pid`
        /// says `ready` (as `pg_ctl -w` waits), then `pg_isready` agrees. Throws if it exits
        /// first or after `limit` (leaving it running: the caller kills it).
        func waitUntilReady(pid: pid_t, port: Int, within limit: Duration = .seconds(30)) throws {
            let deadline = ContinuousClock.now + limit
            while true {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    throw Failure.serverExited(status: Self.describe(status: status), log: logTail(lines: 30))
                }
                if isMarkedReady(pid: pid) {
                    let ping = try run(
                        [bin + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-t", "5"],
                        timeout: .seconds(10), check: false)
                    if ping.status == 0 { return }
                }
                guard ContinuousClock.now < deadline else {
                    throw Failure.serverNotReady(port: port, after: limit, log: logTail(lines: 30))
                }
                usleep(10_000)
            }
        }

        /// Whether `postmaster.pid` is the postmaster `pid`'s and says it accepts connections
        /// (its 8th line, PM_STATUS).
        private func isMarkedReady(pid: pid_t) -> Bool {
            guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return false }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count >= 8 && lines[0] == "\(pid)" && lines[7].hasPrefix("ready")
        }

        /// `psql` over TCP: see ``PostgresCluster/psql(_:database:asUser:)``.
        func psql(_ sql: String, database: String, port: Int, user: String, password: String) throws -> String {
            let script = outputDirectory + "/\(UUID().uuidString).sql"
            guard FileManager.default.createFile(atPath: script, contents: Data(sql.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw Failure.system("writing \(script)", errno)
            }
            defer { try? FileManager.default.removeItem(atPath: script) }
            let command = [
                bin + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)",
                "-U", user, "-d", database, "-f", script,
            ]
            var output = try run(command, environment: environment(password: password), timeout: .seconds(60)).output
            if output.hasSuffix("\n") { output.removeLast() }
            return output
        }

        /// The last `count` lines of the log.
        func logTail(lines count: Int) -> String {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
        }

        /// Runs `command` to its end (killed after `timeout`), standard input from /dev/null: its
        /// exit status, standard output and standard error. Throws if it fails, when `check`.
        func run(
            _ command: [String], environment: [String: String]? = nil, timeout: Duration, check: Bool = true
        ) throws -> (status: Int32, output: String, errors: String) {
            let base = outputDirectory + "/" + UUID().uuidString
            defer {
                try? FileManager.default.removeItem(atPath: base + ".out")
                try? FileManager.default.removeItem(atPath: base + ".err")
            }
            let pid = try Self.spawn(
                command, environment: environment ?? self.environment(), directory: scratch.root, output: base + ".out",
                errors: base + ".err")
            let status = Self.waitForExit(pid, within: timeout)
            if status == nil {
                kill(pid, SIGKILL)
                _ = Self.waitForExit(pid, within: .seconds(10))
            }
            let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
            let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            let line = command.joined(separator: " ")
            guard let status else { throw Failure.timedOut(line, after: timeout, output: output + errors) }
            let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
            if check && code != 0 {
                throw Failure.commandFailed(line, status: Self.describe(status: status), output: errors + output)
            }
            return (code, output, errors)
        }

        /// Kills the postmaster `pid` and its children with SIGKILL, and reaps it; returns once
        /// they are all gone (or zombies: their memory, the shared memory included, is released).
        func killAll(_ pid: pid_t) {
            // Frozen, it forks no new child between the listing and the kill.
            if kill(pid, SIGSTOP) == 0 {
                Self.waitUntil(within: .seconds(2)) { ["T", "t", "Z", nil].contains(Self.processState(pid)) }
            }
            let children = Self.children(of: pid)
            kill(pid, SIGKILL)
            for child in children { kill(child, SIGKILL) }
            _ = Self.waitForExit(pid, within: .seconds(10))
            Self.waitUntil(within: .seconds(10)) {
                children.allSatisfy { ["Z", nil].contains(Self.processState($0)) }
            }
        }

        // MARK: Processes

        /// Waits for the child `pid` to exit, up to `limit`, and reaps it: its wait status (0 if
        /// it was reaped already), nil if it still runs.
        static func waitForExit(_ pid: pid_t, within limit: Duration) -> Int32? {
            let deadline = ContinuousClock.now + limit
            var pause: UInt32 = 500
            while true {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid { return status }
                if result < 0 && errno == ECHILD { return 0 }
                guard ContinuousClock.now < deadline else { return nil }
                usleep(pause)
                pause = min(pause * 2, 20_000)
            }
        }

        /// Polls `condition` every 10 ms until it holds or `limit` passes.
        static func waitUntil(within limit: Duration, _ condition: () -> Bool) {
            let deadline = ContinuousClock.now + limit
            while !condition() && ContinuousClock.now < deadline { usleep(10_000) }
        }

        /// The state letter of the process `pid` (`R`, `S`, `T`, `Z`…), nil if there is none.
        static func processState(_ pid: pid_t) -> Character? {
            statFields(of: "\(pid)")?.first?.first
        }

        /// The processes whose parent is `pid`, from `/proc/*/stat`.
        static func children(of pid: pid_t) -> [pid_t] {
            let parent = "\(pid)"
            return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
                guard let child = pid_t(entry), let fields = statFields(of: entry), fields.count > 1, fields[1] == parent else { return nil }
                return child
            }
        }

        /// The fields of `/proc/PID/stat` after the command name (state, parent PID, …).
        private static func statFields(of pid: String) -> [Substring]? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = text.lastIndex(of: ")")
            else { return nil }
            return text[text.index(after: close)...].split(separator: " ")
        }

        /// A wait status in words.
        static func describe(status: Int32) -> String {
            (status & 0x7f) == 0 ? "exit status \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
        }

        /// ``ChildSpawn/spawn(_:environment:directory:output:errors:append:)``, failing as the cluster does.
        static func spawn(
            _ command: [String], environment: [String: String], directory: String, output: String, errors: String? = nil,
            append: Bool = false
        ) throws -> pid_t {
            do {
                return try ChildSpawn.spawn(command, environment: environment, directory: directory, output: output, errors: errors,
                                            append: append)
            } catch {
                throw Failure.system("posix_spawn \(command.first ?? "")", error.code)
            }
        }
    }

    /// The one thread that spawns every postmaster, alive as long as the test process. A parent-
    /// death signal comes when the *thread* that spawned the child ends, not the process (seen:
    /// a child spawned from a `Thread` got it as that thread ended), and the threads of the
    /// concurrency pool and of ``OwnThread`` end while the tests still run: a postmaster spawned
    /// from one would be shut down under the test.
    private enum PostmasterSpawner {
        private static let jobs = Mutex<[@Sendable () -> Void]>([])
        private static let pending = DispatchSemaphore(value: 0)
        private static let thread: Void = {
            let thread = Thread {
                while true {
                    pending.wait()
                    let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    job?()
                }
            }
            thread.name = "PostgresCluster.PostmasterSpawner"
            thread.start()
        }()

        /// `work`'s result, computed on the spawning thread.
        static func spawn(_ work: @escaping @Sendable () throws -> pid_t) throws -> pid_t {
            _ = thread
            let done = DispatchSemaphore(value: 0)
            let result = Mutex<Result<pid_t, any Error>>(.failure(CancellationError()))
            jobs.withLock { $0.append { result.withLock { $0 = Result { try work() } }; done.signal() } }
            pending.signal()
            done.wait()
            return try result.withLock { $0 }.get()
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetterOrDigit: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
