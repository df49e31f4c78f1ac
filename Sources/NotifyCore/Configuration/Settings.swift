import SMSPartner

/// The configuration file together with what the environment overrides: everything a
/// command needs to know before it looks at the alert.
public struct Settings: Sendable {
    /// Read when neither `--config` nor `SMSPARTNER_NOTIFY_CONFIG` names a file and it exists.
    public static let defaultConfigPath = "/etc/smspartner-notify/config.yml"

    public var configuration: Configuration
    /// The API base URL in force: `SMSPARTNER_API_URL`, else `api_url`, else production.
    public var apiURL: String
    /// The environment the settings were resolved from.
    public var environment: [String: String]

    public init(configuration: Configuration, apiURL: String, environment: [String: String]) {
        self.configuration = configuration
        self.apiURL = apiURL
        self.environment = environment
    }

    /// Loads the configuration named by `configPath`, else by `SMSPARTNER_NOTIFY_CONFIG`, else
    /// ``defaultConfigPath`` if that file exists, else built-in defaults.
    public static func resolve(configPath: String?, environment: [String: String]) throws(ConfigurationError) -> Settings {
        let named = configPath ?? environment["SMSPARTNER_NOTIFY_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration: Configuration
        if let named {
            configuration = try Configuration.load(path: named)
        } else if FileReader.exists(defaultConfigPath) {
            configuration = try Configuration.load(path: defaultConfigPath)
        } else {
            configuration = Configuration()
        }
        let url = environment["SMSPARTNER_API_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? configuration.apiURL ?? SMSPartnerClient.defaultBaseURL
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw .invalidAPIURL(url)
        }
        return Settings(configuration: configuration, apiURL: url, environment: environment)
    }

    /// A warning when the API URL is `http://` to another host than this one: the key would
    /// travel in clear text (it is sent with every request). Nil for `https://` and loopback.
    public var cleartextWarning: String? {
        guard apiURL.lowercased().hasPrefix("http://") else { return nil }
        let rest = apiURL.dropFirst("http://".count)
        var authority = String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        // Never repeat credentials the URL may carry.
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        let host: String
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<end])
        } else {
            host = String(authority.prefix { $0 != ":" })
        }
        if Self.isLoopback(host.lowercased()) { return nil }
        return "warning: the API URL http://\(authority)/… is not https: the API key travels in clear text to \(host)"
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The API key, from the first of: `SMSPARTNER_API_KEY`, the file named by
    /// `SMSPARTNER_API_KEY_FILE`, the configuration's `api_key_file`, its `api_key`.
    public func apiKey() throws(ConfigurationError) -> APIKey {
        if let value = environment["SMSPARTNER_API_KEY"], let key = APIKey(value) {
            return key
        }
        let file = environment["SMSPARTNER_API_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.apiKeyFile
        if let file {
            let text: String
            do {
                text = try FileReader.read(path: file, limit: 4096)
            } catch {
                throw .unreadableKeyFile(path: file, reason: Self.reason(error))
            }
            guard let key = APIKey(text) else { throw .emptyKeyFile(path: file) }
            return key
        }
        if let key = configuration.apiKey { return key }
        throw .noAPIKey
    }

    static func reason(_ failure: FileReader.Failure) -> String {
        switch failure {
        case .system(_, let reason): reason
        case .tooLarge(_, let limit): "larger than \(limit) bytes, not a key"
        case .notUTF8: "not text"
        case .timedOut: "timed out"
        }
    }
}
