import NotifyCore
import SMSPartner
import Testing

@Suite struct ConfigurationTests {
    @Test func everySettingIsRead() throws {
        let yaml = """
            api_key_file: /etc/smspartner-notify/api-key
            api_url: http://127.0.0.1:8080/v1
            sender: ACME42
            tag: nagios-prod
            sandbox: true
            max_segments: 2
            timeout: 25
            """
        let c = try Configuration.parse(yaml: yaml, path: "test.yml")
        #expect(c.apiKeyFile == "/etc/smspartner-notify/api-key")
        #expect(c.apiURL == "http://127.0.0.1:8080/v1")
        #expect(c.sender == "ACME42")
        #expect(c.tag == "nagios-prod")
        #expect(c.sandbox)
        #expect(c.maxSegments == 2)
        #expect(c.timeout == .seconds(25))
    }

    @Test(arguments: ["", "# only a comment\n", "---\n"])
    func anEmptyFileMeansDefaults(_ yaml: String) throws {
        let c = try Configuration.parse(yaml: yaml, path: "empty.yml")
        #expect(c == Configuration(path: "empty.yml"))
        #expect(c.maxSegments == 1)
        #expect(c.timeout == .seconds(20))
        #expect(!c.sandbox)
    }

    @Test(arguments: [("yes", true), ("On", true), ("TRUE", true), ("no", false), ("off", false), ("False", false)])
    func plainScalarsAreReadAsYAML11(_ text: String, _ value: Bool) throws {
        let c = try Configuration.parse(yaml: "sandbox: \(text)\nmax_segments: 3\ntag: ~\nsender: '0700'\n", path: "c.yml")
        #expect(c.sandbox == value)
        #expect(c.maxSegments == 3)
        #expect(c.tag == nil, "~ is null")
        #expect(c.sender == "0700", "a quoted text stays a text")
    }

    @Test(arguments: ["sandbox: \"true\"", "sandbox: 'no'", "max_segments: '2'"])
    func aQuotedValueIsATextNotABooleanOrANumber(_ yaml: String) {
        #expect(throws: ConfigurationError.self) { try Configuration.parse(yaml: yaml, path: "c.yml") }
    }

    @Test func anUnknownSettingIsNamedWithItsLine() {
        #expect(throws: ConfigurationError.unknownSetting(path: "c.yml", key: "sendr", line: 2, known: Configuration.knownSettings)) {
            try Configuration.parse(yaml: "sandbox: true\nsendr: ACME\n", path: "c.yml")
        }
    }

    @Test(arguments: [
        ("sender: AB", "sender"), ("sender: ACME-ALERTS", "sender"), ("sender: ABCDEFGHIJKL", "sender"),
        ("tag: Nagios", "tag"), ("tag: two words", "tag"), ("tag: abcdefghijklmnopqrstu", "tag"),
        ("sandbox: maybe", "sandbox"), ("max_segments: 0", "max_segments"), ("max_segments: 11", "max_segments"),
        ("timeout: 0", "timeout"), ("timeout: soon", "timeout"), ("api_url: ftp://x", "api_url"),
        ("sender: [a, b]", "sender"), ("api_key: ''", "api_key"),
    ])
    func invalidValuesAreConfigurationErrors(_ yaml: String, _ key: String) {
        do {
            _ = try Configuration.parse(yaml: yaml, path: "c.yml")
            Issue.record("accepted \(yaml)")
        } catch {
            guard case .invalidValue(_, let badKey, let line, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(badKey == key)
            #expect(line == 1)
            #expect(error.description.hasPrefix("c.yml:1: '\(key)' must be"))
        }
    }

    @Test func brokenYAMLSaysWhere() {
        do {
            _ = try Configuration.parse(yaml: "sender: ACME\n  tag: [oops\n", path: "c.yml")
            Issue.record("accepted broken YAML")
        } catch {
            guard case .invalidYAML(let path, let location, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "c.yml")
            #expect(!location.isEmpty)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func aListIsNotAConfiguration() {
        #expect(throws: ConfigurationError.notAMapping(path: "c.yml")) {
            try Configuration.parse(yaml: "- a\n- b\n", path: "c.yml")
        }
    }

    @Test func anInlineKeyIsRedactedWhenPrinted() throws {
        let c = try Configuration.parse(yaml: "api_key: s3cret-value\n", path: "c.yml")
        #expect(c.apiKey?.secret == "s3cret-value")
        #expect(!"\(c)".contains("s3cret-value"))
        #expect(!String(reflecting: c).contains("s3cret-value"))
    }
}
