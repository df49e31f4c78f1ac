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
///   read_timeout: 10s               # a connection idle this long is closed
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
    public var readTimeout: Duration

    public static let defaultListen = "127.0.0.1:9798"

    public init(listen: String = ServeSettings.defaultListen, basicUsername: String? = nil, basicPasswordFile: String? = nil,
                bearerTokenFile: String? = nil, maxBodyBytes: Int = 1 << 20, readTimeout: Duration = .seconds(10)) {
        self.listen = listen
        self.basicUsername = basicUsername
        self.basicPasswordFile = basicPasswordFile
        self.bearerTokenFile = bearerTokenFile
        self.maxBodyBytes = maxBodyBytes
        self.readTimeout = readTimeout
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
