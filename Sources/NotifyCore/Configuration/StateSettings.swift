import NotifyStatePostgres

/// Where the shared state lives (`state:`): the embedded SQLite file in the state directory
/// (the default), or a PostgreSQL database shared by several `serve` replicas and hosts.
///
/// ```yaml
/// state:
///   backend: postgres                  # sqlite (default) or postgres
///   url: postgres://notify@db1:5432/notify?sslmode=require
///   password_file: /etc/smspartner-notify/pg.pass
///   ca_file: /etc/smspartner-notify/pg-ca.pem   # who signs the server's certificate (else the system's)
///   connections: 8                     # serve's pool, at most (a command opens one)
/// ```
public struct StateSettings: Sendable, Equatable {
    public enum Backend: String, Sendable, Equatable {
        case sqlite
        case postgres
    }

    public var backend: Backend = .sqlite
    /// With `postgres`: the server, user and database (no password: see ``passwordFile``).
    public var postgres: PostgresLocation?
    /// With `postgres`: the file holding the password (read when the store is opened).
    public var passwordFile: String?
    /// With `postgres`: the PEM file of the authorities that sign the server's certificate.
    public var caFile: String?
    /// With `postgres`: the most connections `serve` opens.
    public var connections = 8

    public init() {}
}

extension Configuration {
    /// `state:` (see ``StateSettings``).
    mutating func readState(_ settings: SettingsReader) throws(ConfigurationError) {
        guard let section = try settings.section("state", known: ["backend", "url", "password_file", "ca_file", "connections"]) else { return }
        if let name = try section.string("backend") {
            guard let backend = StateSettings.Backend(rawValue: name) else {
                throw section.invalid("backend", expected: "sqlite or postgres")
            }
            state.backend = backend
        }
        let url = try section.string("url")
        state.passwordFile = try section.string("password_file")
        state.caFile = try section.string("ca_file")
        if let connections = try section.int("connections", in: 1...200) { state.connections = connections }
        switch state.backend {
        case .sqlite:
            guard url == nil, state.passwordFile == nil, state.caFile == nil else {
                throw section.invalid("backend", expected: "postgres with url and password_file (sqlite uses state_dir)")
            }
        case .postgres:
            guard let url else { throw section.invalid("url", expected: "postgres://USER@HOST[:PORT]/DATABASE with backend: postgres") }
            do {
                state.postgres = try PostgresLocation(url: url)
            } catch {
                throw section.invalid("url", expected: "postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require] (\(error.reason))")
            }
            if state.passwordFile?.isEmpty == true { throw section.invalid("password_file", expected: "a file path") }
            if state.caFile?.isEmpty == true { throw section.invalid("ca_file", expected: "a PEM file path") }
        }
    }
}
