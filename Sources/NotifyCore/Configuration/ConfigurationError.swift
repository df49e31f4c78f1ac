/// A configuration that cannot be used; the process exits 78 (`EX_CONFIG`).
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidYAML(path: String, location: String, problem: String)
    case notAMapping(path: String)
    case unknownSetting(path: String, key: String, line: Int?, known: [String])
    case invalidValue(path: String, key: String, line: Int?, expected: String)
    case noAPIKey
    case unreadableKeyFile(path: String, reason: String)
    case emptyKeyFile(path: String)
    case invalidAPIURL(String)
    case invalidTemplate(path: String, line: Int?, problem: String)
    /// A file holding one of `serve`'s credentials cannot be read, or is empty.
    case unreadableSecretFile(path: String, reason: String)
    /// `serve --listen` or `serve.listen` cannot be used.
    case invalidListenAddress(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the configuration \(path): \(reason)"
        case .invalidYAML(let path, let location, let problem):
            "\(path)\(location.isEmpty ? "" : ":" + location): invalid YAML: \(problem)"
        case .notAMapping(let path):
            "\(path): the configuration must be a YAML mapping of settings (key: value)"
        case .unknownSetting(let path, let key, let line, let known):
            "\(Self.place(path, line)): unknown setting '\(key)'; known settings: \(known.joined(separator: ", "))"
        case .invalidValue(let path, let key, let line, let expected):
            "\(Self.place(path, line)): '\(key)' must be \(expected)"
        case .noAPIKey:
            "no SMSPartner API key: set SMSPARTNER_API_KEY_FILE (or SMSPARTNER_API_KEY), or api_key_file in the configuration"
        case .unreadableKeyFile(let path, let reason):
            "cannot read the API key file \(path): \(reason)"
        case .emptyKeyFile(let path):
            "the API key file \(path) is empty"
        case .invalidTemplate(let path, let line, let problem):
            "\(Self.place(path, line)): \(problem)"
        case .unreadableSecretFile(let path, let reason):
            "cannot read the credentials file \(path): \(reason)"
        case .invalidListenAddress(let address):
            "cannot listen on '\(address)': give HOST:PORT, such as 127.0.0.1:9798"
        case .invalidAPIURL(let url):
            "SMSPARTNER_API_URL '\(url)' is not an http:// or https:// URL"
        }
    }

    static func place(_ path: String, _ line: Int?) -> String {
        line.map { "\(path):\($0)" } ?? path
    }
}
