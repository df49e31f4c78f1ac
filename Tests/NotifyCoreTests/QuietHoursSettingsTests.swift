import AlertModel
import Foundation
import Testing

@testable import NotifyCore

/// `quiet_hours:` in the configuration: the top level, a receiver's own (the mapping form, and
/// `off`), and the mistakes it refuses, each naming its key.
@Suite struct QuietHoursSettingsTests {
    static let yaml = """
        quiet_hours:
          timezone: Europe/Paris
          allow: [critical, warning]
          windows:
            - {days: mon-fri, from: "22:00", to: "07:00"}
            - {days: sat-sun, from: "00:00", to: "24:00"}
        receivers:
          team: ["+33611111111"]
          oncall: {to: ["+33622222222"], quiet_hours: off}
          night: {to: "+33633333333", quiet_hours: {timezone: America/New_York, windows: [{days: tue, from: "01:00", to: "02:00"}]}}
        """

    @Test func theTopLevelAndReceiversOwn() throws {
        let c = try Configuration.parse(yaml: Self.yaml, path: "c.yml")
        let everyone = try #require(c.quietHours.everyone)
        #expect(everyone.timeZone.identifier == "Europe/Paris")
        #expect(everyone.allow == [.critical, .warning])
        #expect(everyone.windows == [QuietWindow(days: [1, 2, 3, 4, 5], from: 1320, to: 420), QuietWindow(days: [0, 6], from: 0, to: 1440)])
        #expect(c.quietHours.schedule(for: "+33611111111") == everyone, "the list form keeps the top level's")
        #expect(c.quietHours.schedule(for: "+33622222222") == nil, "off")
        let own = try #require(c.quietHours.schedule(for: "+33633333333"))
        #expect(own.timeZone.identifier == "America/New_York" && own.allow == [.critical], "allow defaults to critical")
        #expect(c.receivers["oncall"]?.map(\.e164) == ["+33622222222"], "the mapping form's numbers route as before")
        #expect(c.receivers["night"]?.map(\.e164) == ["+33633333333"])
        #expect(c.quietHours.schedule(for: "+33699999999") == everyone)
    }

    @Test func noneByDefault() throws {
        let c = try Configuration.parse(yaml: "receivers: {team: [\"+33611111111\"]}", path: "c.yml")
        #expect(!c.quietHours.isConfigured)
        #expect(c.quietHours.schedule(for: "+33611111111") == nil)
    }

    @Test(arguments: [
        ("quiet_hours: {timezone: Mars/Olympus, windows: [{days: mon, from: \"22:00\", to: \"07:00\"}]}", "quiet_hours.timezone"),
        ("quiet_hours: {windows: [{days: mon, from: \"22:00\", to: \"07:00\"}]}", "quiet_hours.timezone"),
        ("quiet_hours: {timezone: UTC, windows: []}", "quiet_hours.windows"),
        ("quiet_hours: {timezone: UTC}", "quiet_hours.windows"),
        ("quiet_hours: {timezone: UTC, windows: [{days: mon-xyz, from: \"22:00\", to: \"07:00\"}]}", "quiet_hours.windows[0].days"),
        ("quiet_hours: {timezone: UTC, windows: [{days: mon, from: \"25:00\", to: \"07:00\"}]}", "quiet_hours.windows[0].from"),
        ("quiet_hours: {timezone: UTC, windows: [{days: mon, from: \"24:00\", to: \"07:00\"}]}", "quiet_hours.windows[0].from"),
        ("quiet_hours: {timezone: UTC, windows: [{days: mon, from: \"22:00\", to: \"7h\"}]}", "quiet_hours.windows[0].to"),
        ("quiet_hours: {timezone: UTC, windows: [{days: mon, from: \"22:00\", to: \"22:00\"}]}", "quiet_hours.windows[0].to"),
        ("quiet_hours: {timezone: UTC, allow: [urgent], windows: [{days: mon, from: \"22:00\", to: \"07:00\"}]}", "quiet_hours.allow"),
        ("quiet_hours: [22:00]", "quiet_hours"),
        ("receivers: {a: {to: [\"+33611111111\"], quiet_hours: {timezone: Nowhere}}}", "receivers.a.quiet_hours.timezone"),
    ])
    func mistakesNameTheirKey(_ yaml: String, _ key: String) {
        do {
            _ = try Configuration.parse(yaml: yaml, path: "c.yml")
            Issue.record("accepted \(yaml)")
        } catch {
            guard case .invalidValue(_, let badKey, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(badKey == key, "\(error)")
        }
    }

    @Test func anUnknownKeyIsNamed() {
        #expect(throws: ConfigurationError.self) {
            try Configuration.parse(yaml: "quiet_hours: {timezone: UTC, window: []}", path: "c.yml")
        }
        #expect(throws: ConfigurationError.self) {
            try Configuration.parse(yaml: "receivers: {a: {to: [\"+33611111111\"], quiethours: off}}", path: "c.yml")
        }
    }

    @Test func aNumberInTwoReceiversWithDifferentQuietHoursIsRefused() {
        #expect(throws: ConfigurationError.self) {
            try Configuration.parse(yaml: """
                receivers:
                  a: {to: ["+33611111111"], quiet_hours: off}
                  b: {to: ["+33611111111"], quiet_hours: {timezone: UTC, windows: [{days: mon, from: "22:00", to: "07:00"}]}}
                """, path: "c.yml")
        }
    }
}
