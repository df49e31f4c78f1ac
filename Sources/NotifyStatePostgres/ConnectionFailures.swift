import Logging
import Synchronization

/// The pool's failures to connect, as its background logger reports them: `PostgresClient`
/// keeps retrying a server that refuses connections or a password, without failing the uses
/// waiting for a connection. A use that sees a failure since it began stops waiting and says
/// why (the server is down, the password is wrong…) instead of timing out.
final class ConnectionFailures: Sendable {
    /// One failure to connect, as postgres-nio described it.
    struct Failure: Sendable {
        let sequence: Int
        let text: String
    }

    private let state = Mutex<(sequence: Int, last: Failure?)>((0, nil))

    /// The number of failures so far: a use remembers it as it starts waiting.
    var sequence: Int { state.withLock { $0.sequence } }

    /// The last failure, if any.
    var last: Failure? { state.withLock { $0.last } }

    /// The last failure after `sequence`, if any.
    func failure(after sequence: Int) -> Failure? {
        state.withLock { $0.last.flatMap { $0.sequence > sequence ? $0 : nil } }
    }

    func record(_ text: String) {
        state.withLock { state in
            state.sequence += 1
            state.last = Failure(sequence: state.sequence, text: text)
        }
    }

    /// A log handler for the client's background logger that records its failures to connect
    /// and drops everything else (nothing it logs reaches the tool's own logs).
    func logHandler() -> some LogHandler {
        Handler(failures: self)
    }

    struct Handler: LogHandler {
        let failures: ConnectionFailures
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.message.description == "Connection creation failed" else { return }
            failures.record(event.metadata?["psql_error"].map { "\($0)" } ?? event.metadata?.values.map { "\($0)" }.joined(separator: " ") ?? "")
        }
    }
}
