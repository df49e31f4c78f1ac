import NotifyCore
import NotifyStatePostgres
import Testing

/// `state:`: SQLite by default, PostgreSQL when asked, refused when half-said.
@Suite struct StateSettingsTests {
    @Test func sqliteInTheStateDirectoryIsTheDefault() throws {
        let configuration = try Configuration.parse(yaml: "state_dir: /tmp/x\n", path: "c.yml")
        #expect(configuration.state.backend == .sqlite)
        #expect(configuration.state.postgres == nil)
    }

    @Test func postgresIsReadWithItsURLPasswordFileAuthoritiesAndPool() throws {
        let configuration = try Configuration.parse(yaml: """
            state:
              backend: postgres
              url: postgres://notify@db1:6432/pager?sslmode=require
              password_file: /etc/smspartner-notify/pg.pass
              ca_file: /etc/smspartner-notify/pg-ca.pem
              connections: 16
            """, path: "c.yml")
        #expect(configuration.state.backend == .postgres)
        #expect(configuration.state.postgres == PostgresLocation(host: "db1", port: 6432, user: "notify", database: "pager", tls: .require))
        #expect(configuration.state.passwordFile == "/etc/smspartner-notify/pg.pass")
        #expect(configuration.state.caFile == "/etc/smspartner-notify/pg-ca.pem")
        #expect(configuration.state.connections == 16)
    }

    @Test(arguments: [
        ("state:\n  backend: postgres\n", "state.url"),
        ("state:\n  backend: postgres\n  url: http://db1/notify\n", "state.url"),
        ("state:\n  backend: mysql\n", "state.backend"),
        ("state:\n  url: postgres://notify@db1/notify\n", "state.backend"),
        ("state:\n  backend: postgres\n  url: postgres://notify@db1/notify\n  connections: 0\n", "state.connections"),
        ("state:\n  backend: postgres\n  url: postgres://notify@db1/notify\n  pasword_file: /x\n", "pasword_file"),
        ("state: postgres\n", "state"),
    ])
    func aStateSectionThatCannotBeUsedIsRefusedNamingItsKey(_ yaml: String, _ key: String) {
        let error = #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: yaml, path: "c.yml") }
        #expect(error?.description.contains(key) == true, "\(String(describing: error))")
    }

    @Test func aPasswordInTheURLIsNeverShown() throws {
        let configuration = try Configuration.parse(yaml: """
            state:
              backend: postgres
              url: postgres://notify:hunter2@db1/notify
            """, path: "c.yml")
        #expect(configuration.state.postgres?.description == "postgres://notify@db1:5432/notify")
    }
}
