import NotifyState
import NotifyStatePostgres
import SMSPartner

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the commands build the state store, the outbox and the sender from the settings.
extension Settings {
    /// The state directory: `--state-dir`, else `SMSPARTNER_STATE_DIR`, else the
    /// configuration's `state_dir`, else the default (``StateDirectory/resolve(flag:environment:)``).
    public func stateDirectory(flag: String?) -> String {
        let named = [flag, environment["SMSPARTNER_STATE_DIR"], configuration.stateDir].compactMap { $0 }.first { !$0.isEmpty }
        return StateDirectory.resolve(flag: named, environment: environment)
    }

    /// Where the state is, for messages: the SQLite file in the state directory, or the
    /// PostgreSQL database (its URL without a password).
    public func stateLocation(flag: String?) -> String {
        if configuration.state.backend == .postgres, let location = configuration.state.postgres { return location.description }
        return stateDirectory(flag: flag) + "/" + SQLiteStateStore.fileName
    }

    /// Opens the store the configuration names (`state:`), creating it if needed: SQLite in
    /// the state directory, or PostgreSQL. `concurrentReads`: a long-running server's store.
    public func openStore(flag: String?, busyTimeout: Duration, concurrentReads: Bool = false) throws(StateError) -> any StateStore {
        if let postgres = try postgresStore(busyTimeout: busyTimeout, server: concurrentReads) { return postgres }
        return try SQLiteStateStore(directory: stateDirectory(flag: flag), busyTimeout: busyTimeout, concurrentReads: concurrentReads)
    }

    /// The store as it is, to read (`status`, `check`, dry runs): nil when SQLite's has not
    /// been created yet. `upgrade`: an older SQLite file is first brought up to date.
    public func existingStore(flag: String?, busyTimeout: Duration, upgrade: Bool = true) throws(StateError) -> (any StateStore)? {
        if let postgres = try postgresStore(busyTimeout: busyTimeout, server: false, migrates: upgrade) {
            return try postgres.hasSchema() ? postgres : nil
        }
        return try SQLiteStateStore(readOnlyIn: stateDirectory(flag: flag), busyTimeout: busyTimeout, upgrade: upgrade)
    }

    /// The PostgreSQL store of `state: {backend: postgres}`; nil with SQLite.
    func postgresStore(busyTimeout: Duration, server: Bool, migrates: Bool = true) throws(StateError) -> PostgresStateStore? {
        guard configuration.state.backend == .postgres, let location = configuration.state.postgres else { return nil }
        var password: String?
        if let file = configuration.state.passwordFile {
            do {
                password = try SecretFile.read(file)
            } catch {
                throw .cannotOpen(path: location.description, reason: "state.password_file: \(error)")
            }
        }
        return PostgresStateStore(location, password: password, busyTimeout: busyTimeout,
                                  connections: server ? configuration.state.connections : 2, trustRoots: configuration.state.caFile,
                                  migrates: migrates)
    }

    /// The wall clock; `SMSPARTNER_NOTIFY_FAKE_NOW` (Unix seconds, for tests of windows and
    /// expiry) replaces it.
    public var clock: @Sendable () -> Timestamp {
        if let text = environment["SMSPARTNER_NOTIFY_FAKE_NOW"], let seconds = Double(text), seconds.isFinite, seconds >= 0 {
            let fixed = Timestamp(milliseconds: Int64(seconds * 1000))
            return { fixed }
        }
        return { Timestamp.now() }
    }

    /// The outbox on `store`, with this configuration's policy and renderer.
    public func outbox(store: any StateStore) -> Outbox {
        Outbox(store: store, policy: Policy(settings: configuration.policy),
               digests: DigestComposer(renderer: renderer), owner: Self.processOwner, tagPrefix: configuration.tag, receipts: configuration.receipts, twoWay: configuration.twoWay,
               escalation: configuration.escalation, quietHours: configuration.quietHours, now: clock)
    }

    /// The renderer this configuration asks for.
    public var renderer: MessageRenderer {
        MessageRenderer(maxSegments: configuration.maxSegments, encoding: configuration.encoding, templates: configuration.templates,
                        subjectRules: configuration.subjectRules,
                        reserved: configuration.twoWay.enabled ? TwoWaySettings.codeSuffixLength : 0)
    }

    /// The sender: SMSPartner with `apiKey`, and this configuration's sender, tag and sandbox.
    public func sender(apiKey: APIKey) -> Delivery {
        let client = SMSPartnerClient(apiKey: apiKey, baseURL: apiURL, userAgent: ToolVersion.userAgent)
        return Delivery(client: client, policy: RetryPolicy(lookupDelay: configuration.lookupDelay),
                        sender: configuration.sender, tag: configuration.tag, sandbox: configuration.sandbox,
                        receiptURL: try? receiptCallbackURL(), replyURL: try? configuration.twoWay.replyCallbackURL())
    }

    /// The receipt callback URL with its token (`receipts.callback_url`, `receipts.token_file`);
    /// nil when none is configured. A token that cannot be read throws: `send` goes on without
    /// the push (polling still settles receipts), `serve` refuses to start.
    public func receiptCallbackURL() throws(ConfigurationError) -> String? {
        guard let base = configuration.receipts.callbackURL, let file = configuration.receipts.tokenFile else { return nil }
        return try ReceiptToken.load(path: file).callbackURL(base: base)
    }

    /// A warning when `receipts.callback_url` is set but its token cannot be read: SMS go out
    /// without `urlDlr` (polling still settles their receipts). Nil otherwise.
    public var receiptCallbackWarning: String? {
        do {
            _ = try receiptCallbackURL()
            return nil
        } catch {
            return "warning: receipts are not pushed, only polled: \(error)"
        }
    }

    /// The receipt poller on `store`, asking with `sender`'s client.
    public func receiptPoller(store: any StateStore, sender: Delivery) -> ReceiptPoller {
        ReceiptPoller(store: store, settings: configuration.receipts, client: sender.client, now: clock)
    }

    /// `host:pid:random`, naming this process in its claims. The random part keeps two
    /// containers apart that share a host name and both run as PID 1 on one shared store:
    /// a failure is recorded only by the claim's owner.
    public static let processOwner = "\(hostName):\(getpid()):\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"

    /// This host's name (`gethostname`), else `localhost`.
    public static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        return gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
    }()
}
