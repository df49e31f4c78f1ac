import NotifyState
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

    /// `host:pid`, naming this process in its claims.
    public static let processOwner = "\(hostName):\(getpid())"

    /// This host's name (`gethostname`), else `localhost`.
    public static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        return gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
    }()
}
