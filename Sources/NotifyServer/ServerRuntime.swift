import NotifyCore
import NotifyState
import SMSPartner
import SMSText
import Synchronization

/// What `serve` works with, rebuilt from the settings at start and on SIGHUP: the
/// configuration, the outbox on the (unchanging) store, the sender and the credentials.
public final class ServerRuntime: Sendable {
    /// One consistent set: every request and every worker step uses one.
    public struct Snapshot: Sendable {
        public var settings: Settings
        public var outbox: Outbox
        public var sender: Delivery
        public var credentials: Credentials
        /// `serve --to`: who gets what no receiver route names.
        public var defaults: [PhoneNumber]
        /// The answers to repeated webhooks under this configuration.
        public var replays = ReplayCache()
        /// The dead man's switch (`deadman:`), on the outbox.
        public var deadman: DeadmanSwitch
        /// The escalation policies' runner (`escalation:`), on the outbox.
        public var escalator: Escalator

        public var configuration: Configuration { settings.configuration }
    }

    public let store: any StateStore
    /// The state directory, for `/healthz`; nil when the state is on PostgreSQL.
    public let stateDirectory: String?
    /// When this process started: the dead man's switch judges no silence before a whole
    /// timeout has passed since.
    public let startedAt: Timestamp
    private let current: Mutex<Snapshot>
    private let load: @Sendable () throws -> (Settings, APIKey, Credentials)

    /// `load` reads the settings, the key and the credentials; it runs now and on each reload.
    public init(store: any StateStore, stateDirectory: String?, defaults: [PhoneNumber],
                load: @escaping @Sendable () throws -> (Settings, APIKey, Credentials)) throws {
        self.store = store
        self.stateDirectory = stateDirectory
        self.load = load
        let (settings, key, credentials) = try load()
        let startedAt = settings.clock()
        self.startedAt = startedAt
        current = Mutex(Self.snapshot(settings, key, credentials, store: store, defaults: defaults, startedAt: startedAt))
    }

    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Reads everything again; the old set stays in force when that fails.
    public func reload() throws {
        let (settings, key, credentials) = try load()
        current.withLock { snapshot in
            snapshot = Self.snapshot(settings, key, credentials, store: store, defaults: snapshot.defaults, startedAt: startedAt)
        }
    }

    static func snapshot(_ settings: Settings, _ key: APIKey, _ credentials: Credentials, store: any StateStore,
                         defaults: [PhoneNumber], startedAt: Timestamp) -> Snapshot {
        let outbox = settings.outbox(store: store)
        return Snapshot(settings: settings, outbox: outbox, sender: settings.sender(apiKey: key), credentials: credentials,
                        defaults: defaults,
                        deadman: DeadmanSwitch(settings: settings.configuration.deadman, outbox: outbox, startedAt: startedAt),
                        escalator: Escalator(outbox: outbox))
    }
}
