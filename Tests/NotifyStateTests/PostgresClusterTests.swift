import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL harness of the store's tests (TestSupport's `PostgresCluster`): a private
/// cluster serves a database of its own to `notify`, stops by PID (the process gone, the port
/// refusing connections) and restarts on the same port with its data, after a stop and after a
/// crash; the shared cluster gives each test a database of its own. Without PostgreSQL the
/// suite fails, unless SMSPARTNER_SKIP_POSTGRES=1.
@Suite(
    "a private PostgreSQL cluster for the tests",
    .disabled(if: PostgresCluster.skipRequested, "SMSPARTNER_SKIP_POSTGRES=1"),
    .timeLimit(.minutes(2)))
struct PostgresClusterTests {
    @Test func startsStopsAndRestartsOnTheSamePort() async throws {
        try #require(PostgresCluster.isInstalled, "\(PostgresCluster.installHint)")
        // A descriptor of the test runner's that a child would inherit: the server must not.
        let scratch = try TemporaryDirectory(prefix: "postgres-harness")
        defer { scratch.remove() }
        let runnerFile = try scratch.write("runner-descriptor", "")
        let runnerDescriptor = open(runnerFile, O_RDONLY)
        try #require(runnerDescriptor >= 0)
        defer { close(runnerDescriptor) }

        let cluster = try await OwnThread.run { try PostgresCluster() }
        defer { cluster.shutdown() }
        let port = cluster.port
        #expect(cluster.url == "postgres://notify@127.0.0.1:\(port)/notify")
        #expect(cluster.isRunning)
        #expect(!Self.descriptorTargets(of: cluster.pid).contains(runnerFile), "the server inherited a descriptor of the test runner")
        // As root, the server runs as the owner of its data directory (postgres), not as root.
        let owner = try FileManager.default.attributesOfItem(atPath: cluster.dataDirectory)[.ownerAccountID] as? NSNumber
        #expect(Self.userID(of: cluster.pid) == owner?.uint32Value)
        if geteuid() == 0 { #expect(Self.userID(of: cluster.pid) != 0) }

        let url = try await OwnThread.run { try cluster.createDatabase("harness") }
        #expect(url == "postgres://notify@127.0.0.1:\(port)/harness")
        #expect(try await OwnThread.run { try cluster.psql("select 1", database: "harness") } == "1")
        // notify owns it, and logs in with the password of the password file (mode 0600).
        let written = try String(contentsOfFile: cluster.passwordFile, encoding: .utf8)
        #expect(written == cluster.password + "\n")
        let mode = try FileManager.default.attributesOfItem(atPath: cluster.passwordFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let identity = try await OwnThread.run {
            try cluster.psql(
                "SELECT current_user, pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
                database: "harness", asUser: true)
        }
        #expect(identity == "notify|notify")
        _ = try await OwnThread.run {
            try cluster.psql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)", database: "harness", asUser: true)
        }

        // A stop by PID: the process is gone and nothing listens on the port any more.
        let first = cluster.pid
        try await OwnThread.run { cluster.stop() }
        #expect(!cluster.isRunning)
        #expect(kill(first, 0) == -1 && errno == ESRCH, "postmaster \(first) still exists")
        #expect(!RawConnection.accepts(port: port))

        try await OwnThread.run { try cluster.restart() }
        #expect(cluster.port == port)
        #expect(cluster.pid != first)
        #expect(try await OwnThread.run { try cluster.psql("SELECT n FROM kept", database: "harness") } == "42")

        // A crash (SIGKILL) with a commit just before it: the commit survives the restart.
        let second = cluster.pid
        _ = try await OwnThread.run { try cluster.psql("INSERT INTO kept VALUES (43)", database: "harness", asUser: true) }
        try await OwnThread.run { cluster.kill9() }
        #expect(!cluster.isRunning)
        #expect(kill(second, 0) == -1 && errno == ESRCH, "postmaster \(second) still exists")
        #expect(!RawConnection.accepts(port: port))
        try await OwnThread.run { try cluster.restart() }
        #expect(cluster.port == port)
        #expect(try await OwnThread.run { try cluster.psql("SELECT n FROM kept ORDER BY n", database: "harness") } == "42\n43")
    }

    @Test func sharedClusterGivesEachTestADatabaseOfItsOwn() async throws {
        try #require(PostgresCluster.isInstalled, "\(PostgresCluster.installHint)")
        let cluster = try await OwnThread.run { try PostgresCluster.shared() }
        #expect(try await OwnThread.run { try PostgresCluster.shared() } === cluster)
        let (one, other) = try await OwnThread.run { (try cluster.createUniqueDatabase(), try cluster.createUniqueDatabase()) }
        #expect(one.name != other.name)
        #expect(one.url == "postgres://notify@127.0.0.1:\(cluster.port)/\(one.name)")
        _ = try await OwnThread.run { try cluster.psql("CREATE TABLE only_here (n int)", database: one.name, asUser: true) }
        let seen = try await OwnThread.run {
            try cluster.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'", database: other.name)
        }
        #expect(seen == "0")
    }

    /// What the descriptors of the process `pid` point to.
    static func descriptorTargets(of pid: pid_t) -> [String] {
        let folder = "/proc/\(pid)/fd"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)
        }
    }

    /// The real user ID of the process `pid`, from `/proc/PID/status`.
    static func userID(of pid: pid_t) -> UInt32? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") })
        else { return nil }
        return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) }
    }
}
