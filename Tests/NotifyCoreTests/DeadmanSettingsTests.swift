import SMSText
import Testing

@testable import NotifyCore

/// The `deadman:` section.
@Suite struct DeadmanSettingsTests {
    @Test func theSectionIsRead() throws {
        let configuration = try Configuration.parse(yaml: """
            deadman:
              timeout: 2s
              to: ["+33600000000", "0611111111"]
              alertnames: [Watchdog]
            """, path: "c.yml")
        #expect(configuration.deadman.timeout == .seconds(2))
        #expect(configuration.deadman.to.map(\.e164) == ["+33600000000", "+33611111111"])
        #expect(configuration.deadman.isHeartbeat(alertname: "Watchdog"))
        #expect(!configuration.deadman.isHeartbeat(alertname: "DeadMansSwitch"))
        #expect(try Configuration.parse(yaml: "", path: "c.yml").deadman == DeadmanSettings())
    }

    @Test(arguments: ["timeout: 1s", "timeout: 1500ms", "timeout: 8d", "to: [\"12\"]", "alertnames: []"])
    func invalidValuesAreRefused(_ line: String) {
        #expect(throws: ConfigurationError.self, "\(line)") {
            try Configuration.parse(yaml: "deadman:\n  \(line)\n", path: "c.yml")
        }
    }
}
