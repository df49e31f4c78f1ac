import NotifyCore
import NotifyState
import SMSPartner
import Synchronization

/// What every command does the same way before its own work: read the settings, open the
/// store, read the key; each failure becomes the contract's exit status and one line.
enum CommandSupport {
    static func settings(config: String?, environment: [String: String]) throws -> Settings {
        do {
            return try Settings.resolve(configPath: config, environment: environment)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
    }

    /// The API key; warns on stderr when the API URL would carry it in clear text, and when the
    /// receipt token cannot be read (the SMS still goes, without asking for a push).
    static func apiKey(_ settings: Settings) throws -> APIKey {
        let key: APIKey
        do {
            key = try settings.apiKey()
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
        if let warning = settings.cleartextWarning { Console.warning(warning) }
        if let warning = settings.receiptCallbackWarning { Console.warning(warning) }
        return key
    }

    /// Opens (creating it if needed) the store; waits at most `busyTimeout` for a lock.
    ///
    /// The store stays open until the process exits: every transaction is committed by then,
    /// and closing it (GRDB's teardown) costs a `send` more than its whole duplicate decision.
    static func openStore(_ settings: Settings, flag: String?, busyTimeout: Duration, concurrentReads: Bool = false) throws -> any StateStore {
        do {
            return try store(settings, flag: flag, busyTimeout: busyTimeout, concurrentReads: concurrentReads)
        } catch {
            throw failure(error)
        }
    }

    /// ``openStore(_:flag:busyTimeout:concurrentReads:)``, failing with the store's own error
    /// (`send` fails open on it).
    static func store(_ settings: Settings, flag: String?, busyTimeout: Duration, concurrentReads: Bool = false)
        throws(StateError) -> any StateStore
    {
        let store = try settings.openStore(flag: flag, busyTimeout: busyTimeout, concurrentReads: concurrentReads)
        if let store = store as? SQLiteStateStore { keptOpen.withLock { $0.append(store) } }
        return store
    }

    /// The store an alert is admitted in (`send`, `run`), failing with the store's own error
    /// (they fail open on it). In a storm the store may make us wait for other processes'
    /// decisions, but never so long that no time is left to deliver: the `budget` less 5 s,
    /// and at least half of it.
    static func alertStore(_ settings: Settings, flag: String?, budget: Duration) throws(StateError) -> any StateStore {
        try store(settings, flag: flag, busyTimeout: max(budget - .seconds(5), budget / 2))
    }

    /// The stores of this process that are left for the exit to close.
    private static let keptOpen = Mutex<[SQLiteStateStore]>([])

    /// As the process ends, whatever its exit status: lets each store shorten its WAL for
    /// the next process (see ``SQLiteStateStore/checkpointAtExit()``; `serve`'s store does not).
    static func finish() {
        for store in keptOpen.withLock({ $0 }) {
            store.checkpointAtExit()
        }
    }

    static func failure(_ error: StateError) -> CommandFailure {
        CommandFailure(ExitStatus(error), error.description)
    }

    /// Runs a store operation, turning its failure into the command's.
    static func stored<T>(_ operation: () throws(StateError) -> T) throws -> T {
        do {
            return try operation()
        } catch {
            throw failure(error)
        }
    }
}
