import AlertModel
import SMSPartner
import SMSText
import Yams

/// The settings file (YAML). Every setting has a default, so an empty file (or none) plus an
/// API key and `--to` is enough.
///
/// ```yaml
/// api_key_file: /etc/smspartner-notify/api-key
/// sender: ACME          # 3-11 letters/digits; omitted = operator shortcode
/// tag: alerts           # <= 20 lowercase characters, marks the source in SMSPartner
/// sandbox: false        # true = validated by SMSPartner, not delivered, not charged
/// max_segments: 1       # longer texts are cut to fit
/// timeout: 20           # seconds `send` may spend delivering (retries included)
/// encoding: auto        # auto | gsm7 | unicode (see EncodingMode)
/// templates:            # Mustache, by name (see TemplateSet)
///   nagios-service: "{{type}} {{host}}/{{service}} {{state}}: {{message}}"
/// allowed_recipients:   # numbers an alert's own input may name (pager, `to`); `*` ends a prefix
///   - "+33612345678"
///   - "+336*"
/// state_dir: /var/lib/smspartner-notify   # --state-dir and SMSPARTNER_STATE_DIR win
/// dedup_window: 15m     # same alert, same status within it = duplicate
/// rate_limits: [5/15m, 11/1h, 21/3h]      # per recipient; over = held for a digest
/// hourly_cap: 100       # SMS to anyone per hour (off: none)
/// daily_cap: 500        # SMS to anyone per 24 h (off: none)
/// max_age: 1h           # a queued SMS older than this expires, never sent late
/// retry_delay: 30s      # first pause before a queued SMS is retried (doubles, up to 20x)
/// lookup_delay: 20s     # after a request that went unanswered, when SMSPartner is asked (by tag) if it took it
/// max_recipients: 50    # most numbers one alert input may name (more: refused, nothing sent)
/// subject_labels: [cluster_node]   # Alertmanager: labels that name the affected object, tried first
/// noise_labels: [team_tenant]      # Alertmanager: more labels that never reach the text
/// receipts: {poll_after: [1m, 5m, 30m, 1h]}    # see ReceiptSettings
/// deadman: {timeout: 10m, to: ["+33600000000"]}  # see DeadmanSettings
/// escalation: {policies: {default: {steps: [{to: ["+33600000000"]}, {after: 10m, to: ["+33600000001"]}]}}}  # see EscalationSettings
/// quiet_hours: {timezone: Europe/Paris, allow: [critical], windows: [{days: mon-fri, from: "22:00", to: "07:00"}]}  # see QuietHoursSettings
/// ```
public struct Configuration: Sendable, Equatable {
    /// Where the settings came from (nil: built-in defaults).
    public var path: String?
    /// File holding the API key (preferred over ``apiKey``).
    public var apiKeyFile: String?
    /// The key itself, when the operator puts it in the (protected) configuration.
    public var apiKey: APIKey?
    /// API base URL; `SMSPARTNER_API_URL` overrides it.
    public var apiURL: String?
    public var sender: String?
    public var tag: String?
    public var sandbox: Bool
    /// Most SMS segments one notification may use.
    public var maxSegments: Int
    /// Time budget of one `send`, retries included.
    public var timeout: Duration
    /// GSM-7 or UCS-2, and whether to transliterate.
    public var encoding: EncodingMode
    /// The templates: built-ins overridden by `templates:`.
    public var templates: TemplateSet
    /// Patterns for the numbers an input may name itself (a pager, a `to` field); nil = any.
    public var allowedRecipients: RecipientAllowlist?
    /// The state directory, when the file sets one.
    public var stateDir: String?
    /// Deduplication, rate limits, caps and the outbox's `max_age`.
    public var policy: PolicySettings
    /// How `serve` listens and authenticates.
    public var serve: ServeSettings
    /// Alertmanager receiver names and the numbers each one texts.
    public var receivers: [String: [PhoneNumber]]
    /// The alert label whose value names recipients (comma-separated), admitted only by
    /// `allowed_recipients`.
    public var recipientLabel: String?
    /// How long after a request that went unanswered SMSPartner is asked whether it took it
    /// (``RetryPolicy/lookupDelay``).
    public var lookupDelay: Duration
    /// The most numbers one alert's input may name itself (a pager, `to`, a recipient label):
    /// an input naming more is refused whole, nothing sent. `--to` and `receivers:` are the
    /// operator's own and not limited.
    public var maxRecipients: Int
    /// How an Alertmanager alert's affected object and context labels are told from scrape
    /// plumbing (`subject_labels`, `noise_labels`).
    public var subjectRules = SubjectRules.standard
    /// Delivery receipts: polling and push (`receipts:`).
    public var receipts = ReceiptSettings()
    /// The dead man's switch of `serve` (`deadman:`).
    public var deadman = DeadmanSettings()
    /// Two-way paging: replies acknowledge at the source (`two_way:`).
    public var twoWay = TwoWaySettings()
    /// Escalation policies for pages (`escalation:`).
    public var escalation = EscalationSettings()
    /// Quiet hours: every recipient's (`quiet_hours:`) and receivers' own (see QuietHoursSettings).
    public var quietHours = QuietHoursSettings()
    /// `state:`: SQLite in the state directory, or PostgreSQL.
    public var state = StateSettings()

    /// The default ``maxRecipients``.
    public static let defaultMaxRecipients = 50

    public static let knownSettings = [
        "api_key_file", "api_key", "api_url", "sender", "tag", "sandbox", "max_segments", "timeout",
        "encoding", "templates", "allowed_recipients", "state_dir", "dedup_window", "rate_limits", "hourly_cap",
        "daily_cap", "max_age", "retry_delay", "serve", "receivers", "recipient_label", "lookup_delay", "max_recipients",
        "subject_labels", "noise_labels", "receipts", "deadman", "two_way", "escalation",
        "quiet_hours", "state",
    ]

    public init(
        path: String? = nil,
        apiKeyFile: String? = nil,
        apiKey: APIKey? = nil,
        apiURL: String? = nil,
        sender: String? = nil,
        tag: String? = nil,
        sandbox: Bool = false,
        maxSegments: Int = 1,
        timeout: Duration = .seconds(20),
        encoding: EncodingMode = .auto,
        templates: TemplateSet = .builtIn,
        allowedRecipients: RecipientAllowlist? = nil,
        stateDir: String? = nil,
        policy: PolicySettings = PolicySettings(),
        serve: ServeSettings = ServeSettings(),
        receivers: [String: [PhoneNumber]] = [:],
        recipientLabel: String? = nil,
        lookupDelay: Duration = RetryPolicy.defaultLookupDelay,
        maxRecipients: Int = Configuration.defaultMaxRecipients
    ) {
        self.lookupDelay = lookupDelay
        self.maxRecipients = maxRecipients
        self.path = path
        self.apiKeyFile = apiKeyFile
        self.apiKey = apiKey
        self.apiURL = apiURL
        self.sender = sender
        self.tag = tag
        self.sandbox = sandbox
        self.maxSegments = maxSegments
        self.timeout = timeout
        self.encoding = encoding
        self.templates = templates
        self.allowedRecipients = allowedRecipients
        self.stateDir = stateDir
        self.policy = policy
        self.serve = serve
        self.receivers = receivers
        self.recipientLabel = recipientLabel
    }

    /// Reads and validates a configuration file.
    public static func load(path: String) throws(ConfigurationError) -> Configuration {
        let text: String
        do {
            text = try FileReader.read(path: path)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        return try parse(yaml: text, path: path)
    }

    /// Parses and validates configuration text; `path` names it in errors.
    public static func parse(yaml: String, path: String) throws(ConfigurationError) -> Configuration {
        let root: Node?
        do {
            // Without tag resolution: Yams' default resolver compiles regular expressions (and
            // initialises ICU's) in every process that reads a configuration, ~9 M instructions,
            // and no setting needs a tag. Plain scalars are read as YAML 1.1 below. Composing
            // builds nodes only: no constructor is needed (the default one is a table of every
            // tag's), and the encoding is named (the default one is read from the environment).
            root = try Yams.compose(yaml: yaml, .basic, Constructor([:], [:], [:]), .utf8)
        } catch let error as YamlError {
            throw Self.describe(error, path: path)
        } catch {
            throw .invalidYAML(path: path, location: "", problem: "\(error)")
        }
        var configuration = Configuration(path: path)
        guard let root, root.null == nil else { return configuration }  // an empty file: all defaults
        guard let mapping = root.mapping else { throw .notAMapping(path: path) }
        let settings = SettingsReader(path: path, mapping: mapping)
        try settings.rejectUnknown(known: knownSettings)
        try configuration.readProvider(settings)
        try configuration.readRendering(settings)
        try configuration.readRecipients(settings)
        try configuration.readPolicy(settings)
        try configuration.readState(settings)
        configuration.serve = try Self.serveSettings(settings)
        configuration.receipts = try Self.receiptSettings(settings)
        configuration.deadman = try Self.deadmanSettings(settings)
        configuration.twoWay = try Self.twoWaySettings(settings)
        configuration.escalation = try Self.escalationSettings(settings, maxRecipients: configuration.maxRecipients)
        if configuration.escalation.isConfigured && !configuration.twoWay.enabled {
            throw settings.invalid("escalation", expected: "used with two_way: (escalations follow pages and stop at an acknowledgement)")
        }
        return configuration
    }

    /// The `serve:` section.
    static func serveSettings(_ settings: SettingsReader) throws(ConfigurationError) -> ServeSettings {
        var serve = ServeSettings()
        guard let node = settings.node("serve"), node.null == nil else { return serve }
        guard let mapping = node.mapping else { throw settings.invalid("serve", expected: "a mapping") }
        let reader = SettingsReader(path: settings.path, mapping: mapping, prefix: "serve.")
        try reader.rejectUnknown(known: ServeSettings.knownKeys)
        if let listen = try reader.string("listen") {
            guard ServeSettings.hostAndPort(listen) != nil else { throw reader.invalid("listen", expected: "HOST:PORT, such as 127.0.0.1:9798") }
            serve.listen = listen
        }
        if let auth = reader.node("basic_auth"), auth.null == nil {
            guard let mapping = auth.mapping else { throw reader.invalid("basic_auth", expected: "username and password_file") }
            let basic = SettingsReader(path: settings.path, mapping: mapping, prefix: "serve.basic_auth.")
            try basic.rejectUnknown(known: ["username", "password_file"])
            guard let username = try basic.string("username"), !username.isEmpty, !username.contains(":") else {
                throw basic.invalid("username", expected: "a user name without `:`")
            }
            guard let file = try basic.string("password_file"), !file.isEmpty else {
                throw basic.invalid("password_file", expected: "the file holding the password")
            }
            serve.basicUsername = username
            serve.basicPasswordFile = file
        }
        serve.bearerTokenFile = try reader.string("bearer_token_file")
        if let size = try reader.int("max_body_bytes", in: 1024...(64 << 20)) { serve.maxBodyBytes = size }
        if let timeout = try reader.duration("read_timeout", example: "10s") { serve.readTimeout = timeout }
        try serveLimits(reader, into: &serve)
        return serve
    }

    static func describe(_ error: YamlError, path: String) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return .invalidYAML(path: path, location: "\(mark.line):\(mark.column)", problem: problem)
        case .reader(let problem, _, _, _):
            return .invalidYAML(path: path, location: "", problem: problem)
        case .duplicatedKeysInMapping(let duplicates, _):
            return .invalidYAML(path: path, location: "", problem: "duplicated keys \(duplicates.joined(separator: ", "))")
        default:
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
            return .invalidYAML(path: path, location: "", problem: firstLine)
        }
    }
}

/// Typed access to the top-level settings of a configuration mapping.
struct SettingsReader {
    let path: String
    let mapping: Node.Mapping
    /// How errors name this mapping's keys (`serve.` for the `serve:` section).
    var prefix = ""

    func node(_ key: String) -> Node? {
        mapping.first(where: { $0.key.string == key })?.value
    }

    /// The line of `name` inside the mapping `key`.
    func line(of name: String, in key: String) -> Int? {
        node(key)?.mapping?.first(where: { $0.key.string == name })?.key.mark?.line
    }

    func line(_ key: String) -> Int? {
        mapping.first(where: { $0.key.string == key })?.key.mark?.line
    }

    func rejectUnknown(known: [String]) throws(ConfigurationError) {
        for (key, _) in mapping {
            let name = key.string ?? "\(key)"
            if !known.contains(name) {
                throw .unknownSetting(path: path, key: prefix + name, line: key.mark?.line, known: known)
            }
        }
    }

    func invalid(_ key: String, expected: String) -> ConfigurationError {
        .invalidValue(path: path, key: prefix + key, line: line(key), expected: expected)
    }

    /// A duration (``DurationText``); nil when absent or null. `example` shows the form in
    /// the error.
    func duration(_ key: String, example: String) throws(ConfigurationError) -> Duration? {
        guard let text = try string(key) else { return nil }
        guard let value = DurationText.parse(text) else { throw invalid(key, expected: "a duration such as \(example)") }
        return value
    }

    /// A scalar's text; nil when absent or null.
    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = node(key), value.null == nil else { return nil }
        guard case .scalar(let scalar) = value else { throw invalid(key, expected: "a single value") }
        return scalar.string
    }

    /// A mapping of names to strings, in the file's order; nil when absent or null.
    func stringMapping(_ key: String) throws(ConfigurationError) -> [(key: String, value: String)]? {
        guard let value = node(key), value.null == nil else { return nil }
        guard let mapping = value.mapping else { throw invalid(key, expected: "a mapping of names to texts") }
        var result: [(key: String, value: String)] = []
        for (name, text) in mapping {
            guard let name = name.string, case .scalar(let scalar) = text else {
                throw invalid(key, expected: "a mapping of names to texts")
            }
            result.append((name, scalar.string))
        }
        return result
    }

    /// A list of strings (or one string); nil when absent or null.
    func stringList(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = node(key), value.null == nil else { return nil }
        if case .scalar(let scalar) = value { return [scalar.string] }
        guard let sequence = value.sequence else { throw invalid(key, expected: "a list") }
        var result: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else { throw invalid(key, expected: "a list of texts") }
            result.append(scalar.string)
        }
        return result
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = node(key), value.null == nil else { return nil }
        // A plain scalar only, as YAML 1.1 reads it: `"true"`, quoted, is a text.
        guard case .scalar(let scalar) = value, scalar.style == .plain else { throw invalid(key, expected: "true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw invalid(key, expected: "true or false")
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = node(key), value.null == nil else { return nil }
        guard let int = value.int, range.contains(int) else {
            throw invalid(key, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return int
    }
}
