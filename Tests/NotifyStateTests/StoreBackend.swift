import Foundation
import GRDB
import NotifyStatePostgres
import TestSupport
import Testing

@testable import NotifyState

/// The backends of ``StateStore`` that the conformance suite runs every store test against:
/// one set of store semantics (documented on the protocol), two implementations.
///
/// Each test gets a fresh, empty store: for SQLite a directory of its own, removed after the
/// test; for PostgreSQL a new database in the process's shared cluster (`PostgresCluster`).
/// Without PostgreSQL's server the PostgreSQL cases fail with `PostgresCluster.installHint`
/// (CI installs it), unless SMSPARTNER_SKIP_POSTGRES=1 asks to skip them: they are then
/// cancelled (`Test.cancel`), which Swift Testing reports as skipped, not passed.
///
/// The store's API blocks, and the PostgreSQL store waits on work of the Swift concurrency
/// pool (its connection pool, the lease of a connection): a test that blocked a thread of that
/// pool could starve it. The test's body therefore runs on a thread of its own, in the test's
/// task (``OwnThreadExecutor``), so that `#expect` still reports to the test.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, empty store.
    func withStore(_ body: (any StateStore) throws -> Void) async throws {
        try await withStores(count: 1) { stores, _ in
            for store in stores { try body(store) }
        }
    }

    /// Runs `body` with a fresh, empty store and a look at its tables behind its back.
    func withStore(inspecting body: (any StateStore, StoreTables) throws -> Void) async throws {
        try await withStores(count: 1) { stores, tables in
            for store in stores { try body(store, tables) }
        }
    }

    /// Runs `body` with `count` separate store instances on one fresh, empty location (as
    /// many processes or replicas would open it): SQLite stores on one directory, PostgreSQL
    /// stores (each with its own pool of at most `connections`) on one database. Each waits
    /// `busyTimeout` at most for the writers' lock.
    func withStores(count: Int, busyTimeout: Duration = .seconds(5), connections: Int = 4,
                    _ body: ([any StateStore], StoreTables) throws -> Void) async throws {
        try await OwnThreadExecutor.run {
            switch self {
            case .sqlite:
                let scratch = try TemporaryDirectory(prefix: "notify-store")
                defer { scratch.remove() }
                let stores = try (0..<count).map { _ in
                    try SQLiteStateStore(directory: scratch.root + "/state", busyTimeout: busyTimeout)
                }
                try body(stores, StoreTables(sqlite: stores[0]))
            case .postgres:
                if PostgresCluster.skipRequested { try Test.cancel("SMSPARTNER_SKIP_POSTGRES=1") }
                try #require(PostgresCluster.isInstalled, "\(PostgresCluster.installHint)")
                let cluster = try PostgresCluster.shared()
                let database = try Self.createDatabase(in: cluster)
                let location = try PostgresLocation(url: database.url + "?sslmode=disable")
                let stores = (0..<count).map { _ in
                    PostgresStateStore(location, password: cluster.password, busyTimeout: busyTimeout, connections: connections)
                }
                try body(stores, StoreTables(cluster: cluster, database: database.name))
            }
        }
    }

    /// A new, empty database of the shared cluster for one test (`store_` and 16 hex digits),
    /// owned by its user. Unlike the harness's own databases (locale `C`), it compares text
    /// by a language's rules (ICU's `en-US`), as most databases created on a production
    /// server do: whatever the store orders by text must come out as with SQLite, which
    /// compares bytes.
    static func createDatabase(in cluster: PostgresCluster) throws -> (name: String, url: String) {
        let name = "store_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let options = "OWNER \(cluster.user) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
        try cluster.psql("CREATE DATABASE \(name) \(options)", database: "postgres")
        return (name, cluster.url(database: name))
    }
}

/// A look at a store's tables behind its back, for what the protocol does not show (rows that
/// nothing reads any more, such as the messages of pruned deliveries): SQL on the SQLite file,
/// or `psql` as PostgreSQL's superuser.
struct StoreTables: Sendable {
    private let countRows: @Sendable (String) throws -> Int

    init(sqlite store: SQLiteStateStore) {
        countRows = { table in
            try store.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
        }
    }

    init(cluster: PostgresCluster, database: String) {
        countRows = { table in
            let text = try cluster.psql("SELECT count(*) FROM \(table)", database: database)
            guard let count = Int(text) else { throw Unexpected(text: text) }
            return count
        }
    }

    /// How many rows `table` holds.
    func count(_ table: String) throws -> Int {
        try countRows(table)
    }

    /// A count that did not read as a number.
    struct Unexpected: Error, CustomStringConvertible {
        let text: String
        var description: String { "not a count: \(text.debugDescription)" }
    }
}

/// Runs each job of the tasks that prefer it on a new thread of its own, outside the Swift
/// concurrency pool: a test's task can then block (the store's API does) without taking a
/// thread from the work the PostgreSQL store itself waits for, and stays the test's task.
final class OwnThreadExecutor: TaskExecutor {
    /// Runs `body`, which may block, on a thread of its own, in the current task (so in the
    /// current test: its expectations report to it).
    static func run<T>(_ body: () throws -> T) async throws -> T {
        try await withTaskExecutorPreference(OwnThreadExecutor()) { try body() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.name = "store-test"
        thread.start()
    }
}
