import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// PgBouncer (Debian's `pgbouncer`) in front of a ``PostgresCluster``, in transaction pooling
/// mode: each transaction of a client gets whichever server connection is free, and nothing
/// tied to a session (a session lock, a `SET`, a named prepared statement) survives it. It
/// listens on 127.0.0.1 on a free port, authenticates ``PostgresCluster/user`` with SCRAM and
/// logs in to the server as that user, at most `poolSize` server connections per database
/// (closed after 2 s unused: a database per test would otherwise keep its own). A login the
/// server refuses (out of connection slots while other tests storm it) is tried again after
/// 1 s, not PgBouncer's 15.
///
/// Started as the cluster's server user (it refuses to run as root), a child of the test
/// process stopped by its PID (SIGINT when the test process dies), like the postmaster.
public final class PgBouncer: Sendable {
    /// The port it listens on.
    public let port: Int
    /// Its PID.
    public let pid: pid_t
    /// Where its log is.
    public let logPath: String
    private let cluster: PostgresCluster
    private let running = Mutex(true)

    /// Where Debian installs it.
    public static let binary = "/usr/sbin/pgbouncer"

    /// Whether it is installed (`apt-get install pgbouncer`).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// `postgres://notify@127.0.0.1:PORT/NAME`: `database` (the cluster's by default) through it.
    public func url(database: String? = nil) -> String {
        "postgres://\(cluster.user)@127.0.0.1:\(port)/\(database ?? cluster.database)"
    }

    /// Starts it in front of `cluster`, and returns once it accepts connections.
    public init(before cluster: PostgresCluster, poolSize: Int = 4) throws {
        self.cluster = cluster
        let server = cluster.server
        let name = "pgbouncer-\(UUID().uuidString.prefix(8))"
        let directory = try server.scratch.makeDirectory(name)
        guard chmod(directory, 0o755) == 0 else { throw PostgresCluster.Failure.system("chmod \(directory)", errno) }
        let users = try server.scratch.write(name + "/userlist.txt", "\"\(cluster.user)\" \"\(cluster.password)\"\n")
        logPath = directory + "/pgbouncer.log"
        let port = try RawConnection.freePort()
        let configuration = try server.scratch.write(name + "/pgbouncer.ini", """
            [databases]
            * = host=127.0.0.1 port=\(cluster.port)
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = \(users)
            pool_mode = transaction
            default_pool_size = \(poolSize)
            server_idle_timeout = 2
            server_login_retry = 1
            listen_backlog = 1024
            max_client_conn = 1000
            ignore_startup_parameters = extra_float_digits
            logfile = \(logPath)
            """)
        for file in [users, configuration] {
            if let account = server.account, chown(file, account.uid, account.gid) != 0 {
                throw PostgresCluster.Failure.system("chown \(account.name) \(file)", errno)
            }
        }
        if let account = server.account, chown(directory, account.uid, account.gid) != 0 {
            throw PostgresCluster.Failure.system("chown \(account.name) \(directory)", errno)
        }
        let command = server.asServerUser([Self.binary, configuration], deathSignal: "INT")
        let environment = server.environment()
        let output = directory + "/output.log"
        pid = try PostgresCluster.PostmasterSpawner.spawn {
            try PostgresCluster.Server.spawn(command, environment: environment, directory: directory, output: output)
        }
        self.port = port
        let deadline = ContinuousClock.now + .seconds(10)
        while !RawConnection.accepts(port: port) {
            var status: Int32 = 0
            let exited = waitpid(pid, &status, WNOHANG) == pid
            guard !exited, ContinuousClock.now < deadline else {
                if !exited { kill(pid, SIGKILL); _ = PostgresCluster.Server.waitForExit(pid, within: .seconds(5)) }
                // Reaped: the deinit that follows a throwing init must not signal the PID again.
                running.withLock { $0 = false }
                let log = [output, logPath].compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
                throw PostgresCluster.Failure.serverExited(status: exited ? "exit status \(status)" : "not listening after 10 s", log: log)
            }
            usleep(20_000)
        }
    }

    deinit {
        stop()
    }

    /// Stops it (SIGINT: at once, its clients' connections dropped) and reaps it.
    public func stop() {
        guard running.withLock({ running in defer { running = false }; return running }), kill(pid, SIGINT) == 0 else { return }
        if PostgresCluster.Server.waitForExit(pid, within: .seconds(10)) == nil {
            kill(pid, SIGKILL)
            _ = PostgresCluster.Server.waitForExit(pid, within: .seconds(5))
        }
    }

    /// Its log (connections, pools, errors).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
