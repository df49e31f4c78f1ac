import Foundation
import NotifyCore
import SMSPartner
import TestSupport
import Testing

@Suite struct SettingsTests {
    /// A configuration file without settings: not the machine's /etc/smspartner-notify/config.yml,
    /// which the package test installs for a moment, and which may name a key file.
    static let noSettings: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-no-settings-\(getpid()).yml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("# no settings\n".utf8))
        return path
    }()

    @Test func theEnvironmentKeyWinsOverTheKeyFile() throws {
        let dir = try TemporaryDirectory(prefix: "settings")
        defer { dir.remove() }
        let file = try dir.write("key", "from-file\n")
        let s = try Settings.resolve(configPath: Self.noSettings, environment: ["SMSPARTNER_API_KEY": "from-env", "SMSPARTNER_API_KEY_FILE": file])
        #expect(try s.apiKey().secret == "from-env")
    }

    @Test func theKeyFileIsTrimmed() throws {
        let dir = try TemporaryDirectory(prefix: "settings")
        defer { dir.remove() }
        let file = try dir.write("key", "  abc123 \n\n")
        let s = try Settings.resolve(configPath: Self.noSettings, environment: ["SMSPARTNER_API_KEY_FILE": file])
        #expect(try s.apiKey().secret == "abc123")
    }

    @Test func theEnvironmentKeyFileWinsOverTheConfiguredOne() throws {
        let dir = try TemporaryDirectory(prefix: "settings")
        defer { dir.remove() }
        let envFile = try dir.write("env-key", "env-file-key")
        let confFile = try dir.write("conf-key", "conf-file-key")
        let config = try dir.write("c.yml", "api_key_file: \(confFile)\napi_key: inline\n")
        let s = try Settings.resolve(configPath: config, environment: ["SMSPARTNER_API_KEY_FILE": envFile])
        #expect(try s.apiKey().secret == "env-file-key")
        let t = try Settings.resolve(configPath: config, environment: [:])
        #expect(try t.apiKey().secret == "conf-file-key")
        let inline = try dir.write("d.yml", "api_key: inline\n")
        #expect(try Settings.resolve(configPath: inline, environment: [:]).apiKey().secret == "inline")
    }

    @Test func noKeyAnywhereIsAConfigurationError() throws {
        let s = try Settings.resolve(configPath: Self.noSettings, environment: ["SMSPARTNER_API_KEY": "   "])
        #expect(throws: ConfigurationError.noAPIKey) { try s.apiKey() }
    }

    @Test func aMissingOrEmptyKeyFileIsNamed() throws {
        let dir = try TemporaryDirectory(prefix: "settings")
        defer { dir.remove() }
        let missing = try Settings.resolve(configPath: Self.noSettings, environment: ["SMSPARTNER_API_KEY_FILE": dir.path("nope")])
        #expect(throws: ConfigurationError.unreadableKeyFile(path: dir.path("nope"), reason: "No such file or directory")) {
            try missing.apiKey()
        }
        let empty = try dir.write("empty", "\n")
        let s = try Settings.resolve(configPath: Self.noSettings, environment: ["SMSPARTNER_API_KEY_FILE": empty])
        #expect(throws: ConfigurationError.emptyKeyFile(path: empty)) { try s.apiKey() }
    }

    @Test func theURLComesFromTheEnvironmentThenTheFileThenTheDefault() throws {
        let dir = try TemporaryDirectory(prefix: "settings")
        defer { dir.remove() }
        let config = try dir.write("c.yml", "api_url: http://127.0.0.1:9/v1\n")
        #expect(try Settings.resolve(configPath: Self.noSettings, environment: [:]).apiURL == "https://api.smspartner.fr/v1")
        #expect(try Settings.resolve(configPath: config, environment: [:]).apiURL == "http://127.0.0.1:9/v1")
        #expect(try Settings.resolve(configPath: config, environment: ["SMSPARTNER_API_URL": "http://localhost:1/v1"]).apiURL == "http://localhost:1/v1")
        #expect(throws: ConfigurationError.invalidAPIURL("file:///etc/passwd")) {
            try Settings.resolve(configPath: Self.noSettings, environment: ["SMSPARTNER_API_URL": "file:///etc/passwd"])
        }
    }

    @Test func theConfigPathComesFromTheEnvironmentWhenNotGiven() throws {
        let dir = try TemporaryDirectory(prefix: "settings")
        defer { dir.remove() }
        let config = try dir.write("c.yml", "sender: FROMENV\n")
        let s = try Settings.resolve(configPath: nil, environment: ["SMSPARTNER_NOTIFY_CONFIG": config])
        #expect(s.configuration.sender == "FROMENV")
        #expect(throws: ConfigurationError.self) {
            try Settings.resolve(configPath: dir.path("missing.yml"), environment: [:])
        }
    }
}
