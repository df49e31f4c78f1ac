import SMSText

/// Two-way paging: replies to the SMS acknowledge alerts at their source. The `two_way:`
/// section of the configuration.
///
/// ```yaml
/// two_way:
///   token_file: /etc/smspartner-notify/reply.token   # secret path segment of /smspartner/reply/<token>
///   on_call: {"+33600000000": "alice"}                # names for authors; these numbers may act
///   alertmanager: {url: http://127.0.0.1:9093, silence: 2h}   # watch_interval: 30s (how often serve asks about silenced alerts)
///   nagios: {command_file: /var/lib/nagios4/rw/nagios.cmd}
///   icinga2: {url: https://127.0.0.1:5665, user: notify, password_file: /etc/smspartner-notify/icinga.pass, ca_file: /etc/icinga2/ca.crt}
/// ```
public struct TwoWaySettings: Sendable, Equatable {
    /// Nagios 4: where external commands are written.
    public struct Nagios: Sendable, Equatable {
        public var commandFile: String
        public init(commandFile: String) { self.commandFile = commandFile }
    }

    /// Icinga 2's API: its base URL, the API user, the file of its password, and the CA that
    /// signed the API's certificate (nil: the system's).
    public struct Icinga2: Sendable, Equatable {
        public var url: String
        public var user: String
        public var passwordFile: String
        public var caFile: String?
        public init(url: String, user: String, passwordFile: String, caFile: String? = nil) {
            self.url = url
            self.user = user
            self.passwordFile = passwordFile
            self.caFile = caFile
        }
    }

    /// Alertmanager's API, how long a reply's silence lasts, and how often `serve` asks whether
    /// a silenced alert recovered (``SilenceWatch``; `watch_interval`, default 30 s).
    public struct Alertmanager: Sendable, Equatable {
        public var url: String
        public var silence: Duration
        public var watchInterval: Duration
        public static let defaultSilence = Duration.seconds(7200)
        public static let defaultWatchInterval = Duration.seconds(30)
        public init(url: String, silence: Duration = Alertmanager.defaultSilence, watchInterval: Duration = Alertmanager.defaultWatchInterval) {
            self.url = url
            self.silence = silence
            self.watchInterval = watchInterval
        }
    }

    /// Whether replies are enabled (a `two_way:` section).
    public var enabled: Bool
    /// The file holding the token of `/smspartner/reply/<token>`.
    public var tokenFile: String?
    /// Numbers that may act on any alert, with the name an acknowledgement carries.
    public var onCall: [PhoneNumber: String]
    public var alertmanager: Alertmanager?
    public var nagios: Nagios?
    public var icinga2: Icinga2?
    /// Whether the other recipients of an alert get `ACKED web01/HTTP by alice` when one of
    /// them acknowledges it by reply (`notify_others`, default false).
    public var notifyOthers: Bool = false
    /// The reply callback's URL without its token (`https://notify.example.org/smspartner/reply`):
    /// each SMS carries it, with the token, as `urlResponse` (`callback_url`); nil: the URL is
    /// set on the SMSPartner account instead.
    public var callbackURL: String?

    public static let knownKeys = ["token_file", "on_call", "alertmanager", "nagios", "icinga2", "notify_others", "callback_url"]

    /// What the reply code adds to an alert SMS: ` ack:4F`, kept free by the renderer.
    public static let codeSuffixLength = 7

    public init(enabled: Bool = false, tokenFile: String? = nil, onCall: [PhoneNumber: String] = [:], alertmanager: Alertmanager? = nil,
                nagios: Nagios? = nil, icinga2: Icinga2? = nil) {
        self.enabled = enabled
        self.tokenFile = tokenFile
        self.onCall = onCall
        self.alertmanager = alertmanager
        self.nagios = nagios
        self.icinga2 = icinga2
    }

    /// The reply callback URL with its token, for each send's `urlResponse`; nil when
    /// `callback_url` is not set. A token that cannot be read throws.
    public func replyCallbackURL() throws(ConfigurationError) -> String? {
        guard enabled, let base = callbackURL, let file = tokenFile else { return nil }
        return try ReceiptToken.load(path: file).callbackURL(base: base)
    }

    /// What acknowledges `target` at its source: the API configured for it; nil when none is.
    public func acknowledger(for target: AckTarget) -> (any SourceAcknowledger)? {
        switch target {
        case .nagios: nagios.map { NagiosAcknowledger(settings: $0) }
        case .icinga: icinga2.map { Icinga2Acknowledger(settings: $0) }
        case .alertmanager: alertmanager.map { AlertmanagerSilencer(settings: $0) }
        }
    }

    /// The name an acknowledgement by `number` carries: its `on_call` name, else the number.
    public func author(_ number: PhoneNumber) -> String {
        onCall[number] ?? number.e164
    }
}
