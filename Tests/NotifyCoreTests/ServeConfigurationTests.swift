import NotifyCore
import Testing

@Suite struct ServeConfigurationTests {
    @Test func theServeSectionReceiversAndTheLabel() throws {
        let configuration = try Configuration.parse(yaml: """
            serve:
              listen: 0.0.0.0:8080
              basic_auth: {username: am, password_file: /etc/p}
              bearer_token_file: /etc/t
              max_body_bytes: 2048
              read_timeout: 5s
            receivers:
              oncall: ["+33612345678", "06 98 76 54 32"]
              empty: []
            recipient_label: sms_to
            """, path: "c.yml")
        #expect(configuration.serve == ServeSettings(listen: "0.0.0.0:8080", basicUsername: "am", basicPasswordFile: "/etc/p",
                                                     bearerTokenFile: "/etc/t", maxBodyBytes: 2048, readTimeout: .seconds(5)))
        #expect(configuration.receivers["oncall"]?.map(\.e164) == ["+33612345678", "+33698765432"])
        #expect(configuration.receivers["empty"] == [])
        #expect(configuration.recipientLabel == "sms_to")
        #expect(Configuration().serve.listen == "127.0.0.1:9798")
    }

    @Test(arguments: [
        ("serve:\n  listen: nowhere\n", "serve.listen"),
        ("serve:\n  lisen: 1.2.3.4:5\n", "serve.lisen"),
        ("serve:\n  basic_auth: {username: am}\n", "serve.basic_auth.password_file"),
        ("serve:\n  basic_auth: {username: 'a:b', password_file: /p}\n", "serve.basic_auth.username"),
        ("serve:\n  max_body_bytes: 10\n", "serve.max_body_bytes"),
        ("serve:\n  read_timeout: soon\n", "serve.read_timeout"),
        ("serve:\n  idle_timeout: soon\n", "serve.idle_timeout"),
        ("serve:\n  max_connections: 0\n", "serve.max_connections"),
        ("serve:\n  allowed_origins: [grafana.example.net]\n", "serve.allowed_origins"),
        ("serve:\n  allowed_origins: [\"https://grafana.example.net/\"]\n", "serve.allowed_origins"),
        ("serve:\n  allowed_origins: {a: b}\n", "serve.allowed_origins"),
        ("receivers:\n  oncall: [\"not a number\"]\n", "receivers.oncall"),
        ("receivers: [a]\n", "receivers"),
        ("retry_delay: fast\n", "retry_delay"),
    ])
    func mistakesNameTheirSetting(yaml: String, key: String) {
        let error = #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: yaml, path: "c.yml") }
        #expect(error?.description.contains("'\(key)'") == true, "\(String(describing: error))")
    }

    @Test func theLimitsOfServe() throws {
        let defaults = Configuration().serve
        #expect(defaults.idleTimeout == .seconds(5) && defaults.readTimeout == .seconds(10))
        #expect(defaults.maxConnections == 512 && defaults.allowedOrigins.isEmpty)
        let configuration = try Configuration.parse(yaml: """
            serve:
              idle_timeout: 2s
              max_connections: 64
              allowed_origins: ["https://Grafana.example.net", "http://127.0.0.1:3000"]
            """, path: "c.yml")
        #expect(configuration.serve.idleTimeout == .seconds(2))
        #expect(configuration.serve.maxConnections == 64)
        #expect(configuration.serve.allowedOrigins == ["https://grafana.example.net", "http://127.0.0.1:3000"])
    }

    @Test func hostAndPort() {
        #expect(ServeSettings.hostAndPort("127.0.0.1:9798")! == ("127.0.0.1", 9798))
        #expect(ServeSettings.hostAndPort("[::1]:0")! == ("::1", 0))
        for bad in ["9798", ":9798", "host:", "host:99999", "host:x"] {
            #expect(ServeSettings.hostAndPort(bad) == nil, "\(bad)")
        }
    }
}
