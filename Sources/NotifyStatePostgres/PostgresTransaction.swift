import NotifyState
import PostgresNIO
import Synchronization

/// A value bound to a statement's `$n`: nil is SQL NULL.
typealias SQLValue = (any PostgresDynamicTypeEncodable)?

/// The SQL behind ``StateTransaction`` and ``StateReader`` on PostgreSQL, on one leased
/// connection inside one transaction (``PostgresStateStore/transaction(writing:commit:_:)``).
/// The same queries as `SQLiteTransaction`, in PostgreSQL's dialect.
struct PostgresTransaction: StateTransaction {
    let connection: PostgresConnection
    let store: PostgresStateStore

    // MARK: Running statements

    /// Runs one statement and collects its rows.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = []) throws(StateError) -> PostgresQueryResult {
        try wait(connection.query(Self.statement(sql, values), logger: store.logger))
    }

    /// Runs one statement; how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue] = []) throws(StateError) -> Int {
        try query(sql, values).metadata.rows ?? 0
    }

    /// Sends several statements at once and waits for them all: one round trip.
    func pipeline(_ statements: (sql: String, values: [SQLValue])...) throws(StateError) {
        let futures = statements.map { connection.query(Self.statement($0.sql, $0.values), logger: store.logger) }
        for future in futures { _ = try wait(future) }
    }

    /// Ends the transaction without committing, so the pool never gets a connection inside
    /// one (an aborted transaction refuses every statement of the connection's next user).
    /// After `error` (nil: none), a connection that failed as a connection is closed instead:
    /// a statement sent on a connection the server dropped may get no answer at all, and the
    /// server rolled back already. A ROLLBACK unanswered within 2 s closes it too.
    func rollback(after error: StateError? = nil) {
        if case .unavailable = error {
            _ = connection.close() as EventLoopFuture<Void>
            return
        }
        let statement = connection.query(Self.statement("ROLLBACK", []), logger: store.logger)
        _ = try? wait(statement, within: min(store.queryTimeout, .seconds(2)))
    }

    /// The rows of one statement, as ``Columns``.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws(StateError) -> [Columns] {
        try query(sql, values).rows.map(Columns.init)
    }

    /// The first row of one statement, if any.
    func row(_ sql: String, _ values: [SQLValue] = []) throws(StateError) -> Columns? {
        try query(sql, values).rows.first.map(Columns.init)
    }

    /// Decodes rows, turning a decoding failure into a ``StateError``.
    func decode<T>(_ rows: [Columns], _ transform: (Columns) throws -> T) throws(StateError) -> [T] {
        do {
            return try rows.map(transform)
        } catch {
            throw .corrupt(path: store.location, reason: "\(error)")
        }
    }

    @discardableResult
    func decode<T>(_ row: Columns?, _ transform: (Columns) throws -> T) throws(StateError) -> T? {
        guard let row else { return nil }
        return try decode([row], transform).first
    }

    static func statement(_ sql: String, _ values: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case nil: bindings.appendNull()
            case let text as String: bindings.append(Self.storable(text))
            case let texts as [String]: bindings.append(texts.map(Self.storable))
            case let value?: bindings.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// `text` as SQLite keeps it: up to its first NUL character, which PostgreSQL's text
    /// refuses (the whole write would fail over a byte in a label or a reply).
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.prefix { $0 != "\u{0}" })
    }

    /// Waits for `future` at most the store's query timeout. A statement unanswered by then
    /// closes its connection: the transaction can then never commit behind our back. A
    /// statement sent as the server drops the connection (it is shutting down) may never be
    /// failed by the client: the connection's end is its answer, seen within 100 ms.
    func wait<T: Sendable>(_ future: EventLoopFuture<T>, within limit: Duration? = nil) throws(StateError) -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let timeout = limit ?? store.queryTimeout
        let connection = connection
        let answered = Answered()
        future.whenComplete { _ in answered.flag.withLock { $0 = true } }
        let deadline = NIODeadline.now() + .milliseconds(Int64(max(timeout.wholeMilliseconds, 1)))
        let check = TimeAmount.milliseconds(min(100, Int64(max(timeout.wholeMilliseconds, 1))))
        let watch = future.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { task in
            // On the event loop, as the statement's own answer: if it came first, nothing to do
            // (the watch may run before the waiting thread cancels it).
            guard !answered.flag.withLock({ $0 }) else { return task.cancel() }
            if connection.isClosed {
                task.cancel()
                promise.fail(StateError.unavailable(path: "", reason: "the server closed the connection"))
            } else if NIODeadline.now() >= deadline {
                task.cancel()
                promise.fail(StateError.unavailable(path: "", reason: "no answer within \(timeout.wholeMilliseconds) ms"))
                _ = connection.close() as EventLoopFuture<Void>
            }
        }
        defer { watch.cancel() }
        do {
            return try promise.futureResult.wait()
        } catch let error as StateError {
            if case .unavailable(_, let reason) = error { throw .unavailable(path: store.location, reason: reason) }
            throw error
        } catch {
            throw PostgresStateStore.stateError(error, location: store.location, busyTimeout: store.busyTimeout)
        }
    }
}

/// Whether a statement was answered (see ``PostgresTransaction/wait(_:)``).
final class Answered: Sendable {
    let flag = Mutex(false)
}

/// One row's columns by name; a column the query did not select reads as nil where optional.
struct Columns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    struct Missing: Error, CustomStringConvertible {
        let column: String
        var description: String { "no column \(column)" }
    }

    func callAsFunction<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard row.contains(column) else { throw Missing(column: column) }
        return try row[column].decode(T.self)
    }

    /// An optional column: nil when NULL or not selected.
    func optional<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard row.contains(column) else { return nil }
        let cell = row[column]
        guard cell.bytes != nil else { return nil }
        return try cell.decode(T.self)
    }

    func time(_ column: String) throws -> Timestamp {
        Timestamp(milliseconds: try self(column, as: Int64.self))
    }

    func optionalTime(_ column: String) throws -> Timestamp? {
        (try optional(column, as: Int64.self)).map(Timestamp.init)
    }
}
