import AlertModel
import NotifyCore
import SMSText
import Testing

/// The `two_way:` section, with the names others rely on.
@Suite struct TwoWaySettingsTests {
    @Test func theDocumentedSectionIsRead() throws {
        let yaml = """
            two_way:
              token_file: /etc/smspartner-notify/reply.token
              on_call: {"+33600000000": "alice"}
              alertmanager: {url: http://127.0.0.1:9093/, silence: 2h}
              nagios: {command_file: /var/lib/nagios4/rw/nagios.cmd}
              icinga2: {url: https://127.0.0.1:5665, user: notify, password_file: /etc/smspartner-notify/icinga.pass, ca_file: /etc/icinga2/ca.crt}
            """
        let twoWay = try Configuration.parse(yaml: yaml, path: "c.yml").twoWay
        let alice = try PhoneNumber(parsing: "+33600000000")
        #expect(twoWay.enabled)
        #expect(twoWay.tokenFile == "/etc/smspartner-notify/reply.token")
        #expect(twoWay.onCall == [alice: "alice"])
        #expect(twoWay.author(alice) == "alice")
        #expect(twoWay.author(try PhoneNumber(parsing: "0611111111")) == "+33611111111")
        #expect(twoWay.alertmanager == .init(url: "http://127.0.0.1:9093", silence: .seconds(7200), watchInterval: .seconds(30)))
        let watched = try Configuration.parse(yaml: "two_way: {alertmanager: {url: http://x, watch_interval: 2s}}", path: "c.yml")
        #expect(watched.twoWay.alertmanager?.watchInterval == .seconds(2))
        #expect(twoWay.nagios == .init(commandFile: "/var/lib/nagios4/rw/nagios.cmd"))
        #expect(twoWay.icinga2 == .init(url: "https://127.0.0.1:5665", user: "notify", passwordFile: "/etc/smspartner-notify/icinga.pass",
                                        caFile: "/etc/icinga2/ca.crt"))
    }

    @Test func absentIsOffAndMistakesAreNamed() throws {
        #expect(try Configuration.parse(yaml: "", path: "c.yml").twoWay == TwoWaySettings())
        for (yaml, key) in [
            ("two_way: {on_call: {\"not a number\": bob}}", "two_way.on_call"),
            ("two_way: {alertmanager: {url: ftp://x}}", "two_way.alertmanager.url"),
            ("two_way: {alertmanager: {url: http://x, silence: 10s}}", "two_way.alertmanager.silence"),
            ("two_way: {alertmanager: {url: http://x, watch_interval: 500ms}}", "two_way.alertmanager.watch_interval"),
            ("two_way: {alertmanager: {url: http://x, watch_interval: 2h}}", "two_way.alertmanager.watch_interval"),
            ("two_way: {nagios: {}}", "two_way.nagios.command_file"),
            ("two_way: {icinga2: {url: https://x, user: u}}", "two_way.icinga2.password_file"),
            ("two_way: {nagios: {command_file: /x, typo: 1}}", "two_way.nagios.typo"),
        ] {
            #expect(throws: ConfigurationError.self, "\(yaml)") { try Configuration.parse(yaml: yaml, path: "c.yml") }
            do {
                _ = try Configuration.parse(yaml: yaml, path: "c.yml")
            } catch {
                #expect(error.description.contains(key), "\(error.description)")
            }
        }
    }

    @Test func withTwoWayTheRendererLeavesRoomForTheCode() throws {
        let long = Alert(source: .generic, summary: String(repeating: "disk full on db1 ", count: 20), dedupKey: "k")
        let off = Settings(configuration: try Configuration.parse(yaml: "", path: "c.yml"), apiURL: "https://x", environment: [:])
        let on = Settings(configuration: try Configuration.parse(yaml: "two_way: {}", path: "c.yml"), apiURL: "https://x", environment: [:])
        let plain = off.renderer.render(Notification(single: long)).message
        let coded = on.renderer.render(Notification(single: long)).message
        #expect(plain.measure().units == 160)
        #expect(coded.measure().units <= 160 - TwoWaySettings.codeSuffixLength)
        #expect(SMSMessage(coded.text + " ack:4F").measure().segments == 1)
    }
}
