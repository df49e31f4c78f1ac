import SMSText

/// How `serve` listens and whom it lets in: the `serve:` section of the configuration.
///
/// ```yaml
/// serve:
///   listen: 127.0.0.1:9798          # --listen wins
///   basic_auth:                      # Alertmanager's http_config.basic_auth
///     username: alertmanager
///     password_file: /etc/smspartner-notify/serve-password
///   bearer_token_file: /etc/smspartner-notify/serve-token   # http_config.authorization
///   max_body_bytes: 1048576         # larger requests get 413
///   read_timeout: 10s               # a request's body must arrive within this of its head
///   idle_timeout: 5s                # a connection with no request in progress is closed after this
///   max_connections: 512            # open connections at most (idle ones are closed first)
///   allowed_origins: []             # browser origins that may call serve (none: an Origin gets 403)
/// receivers:                         # Alertmanager receiver name -> numbers
///   sms-oncall: ["+33612345678", "+33698765432"]
/// recipient_label: sms_to            # numbers an alert names itself, if allowed_recipients admits them
/// ```
public struct ServeSettings: Sendable, Equatable {
    /// `HOST:PORT`.
    public var listen: String
    /// Basic credentials: the user name, and the file holding the password.
    public var basicUsername: String?
    public var basicPasswordFile: String?
    /// The file holding the bearer token.
    public var bearerTokenFile: String?
    public var maxBodyBytes: Int
    /// How long a request's body may take to arrive, from its head: a slower request is cut
    /// off and its connection closed.
    public var readTimeout: Duration
    /// How long a connection may stay without a request in progress (before its first request,
    /// between two, or while a request head is still arriving) before it is closed.
    public var idleTimeout: Duration
    /// Most connections open at once. A new one beyond it closes the oldest idle connection, or
    /// is closed itself when none is idle; `serve` lowers it to fit its open-files limit.
    public var maxConnections: Int
    /// Browser origins (`https://host[:port]`) whose requests are served; a request with any
    /// other `Origin` header is refused with 403.
    public var allowedOrigins: [String]

    public static let defaultListen = "127.0.0.1:9798"
    public static let defaultMaxConnections = 512

    /// The keys of the `serve:` section.
    public static let knownKeys = [
        "listen", "basic_auth", "bearer_token_file", "max_body_bytes", "read_timeout", "idle_timeout", "max_connections",
        "allowed_origins",
    ]

    public init(listen: String = ServeSettings.defaultListen, basicUsername: String? = nil, basicPasswordFile: String? = nil,
                bearerTokenFile: String? = nil, maxBodyBytes: Int = 1 << 20, readTimeout: Duration = .seconds(10),
                idleTimeout: Duration = .seconds(5), maxConnections: Int = ServeSettings.defaultMaxConnections,
                allowedOrigins: [String] = []) {
        self.listen = listen
        self.basicUsername = basicUsername
        self.basicPasswordFile = basicPasswordFile
        self.bearerTokenFile = bearerTokenFile
        self.maxBodyBytes = maxBodyBytes
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.allowedOrigins = allowedOrigins
    }

    /// Whether `text` is an origin as browsers send it: `http://` or `https://`, a host, an
    /// optional port, and nothing else.
    public static func isOrigin(_ text: String) -> Bool {
        let rest: Substring
        if text.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return false
        }
        return !rest.isEmpty && !rest.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "@" || $0.isWhitespace })
    }

    /// Splits `HOST:PORT` (`[::1]:9798` for IPv6); nil when malformed.
    public static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }
}
