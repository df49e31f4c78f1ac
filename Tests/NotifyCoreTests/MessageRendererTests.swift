import AlertModel
import NotifyCore
import SMSText
import Testing

@Suite struct MessageRendererTests {
    let renderer = MessageRenderer()

    @Test func aServiceProblemPutsTheEssentialsFirst() {
        let alert = Alert(source: .nagios, notificationType: "PROBLEM", host: "web01", service: "HTTP", serviceState: "CRITICAL", output: "Connection refused")
        let r = renderer.render(alert)
        #expect(r.message.text == "PROBLEM web01/HTTP CRITICAL: Connection refused")
        #expect(r.template == "default/nagios-service")
        #expect(r.measurement.segments == 1)
        #expect(!r.truncated)
    }

    @Test func aHostNotificationUsesTheHostState() {
        let alert = Alert(source: .nagios, notificationType: "RECOVERY", host: "db1", hostState: "UP", output: "PING OK - rta 0.4 ms")
        #expect(renderer.render(alert).message.text == "RECOVERY db1 UP: PING OK - rta 0.4 ms")
        #expect(renderer.render(alert).template == "default/nagios-host")
    }

    @Test func missingPartsAreLeftOutCleanly() {
        #expect(renderer.render(Alert(source: .nagios, host: "web01")).message.text == "web01")
        #expect(renderer.render(Alert(source: .nagios, output: "just output")).message.text == "just output")
        #expect(renderer.render(Alert(source: .nagios, notificationType: "CUSTOM", host: "h", service: "s")).message.text == "CUSTOM h/s")
    }

    @Test func genericTextKeepsItsLines() {
        let r = renderer.render(Alert(source: .generic, summary: "disk full", details: "/var 97%"))
        #expect(r.message.text == "disk full\n/var 97%")
        #expect(r.message.platformText == "disk full:br:/var 97%")
        #expect(r.measurement.units == 19)
    }

    @Test func aLongOutputIsCutToOneSegmentAndMarked() {
        let output = String(repeating: "lorem ipsum ", count: 40)
        let r = renderer.render(Alert(source: .nagios, notificationType: "PROBLEM", host: "web01", service: "HTTP", serviceState: "CRITICAL", output: output))
        #expect(r.truncated)
        #expect(r.measurement.segments == 1)
        #expect(r.measurement.units <= 160)
        #expect(r.message.text.hasPrefix("PROBLEM web01/HTTP CRITICAL: lorem"))
        #expect(r.message.text.hasSuffix("..."))
    }

    @Test func moreSegmentsWhenTheBudgetAllows() {
        let text = String(repeating: "x", count: 300)
        let r = MessageRenderer(maxSegments: 2).render(text: text)
        #expect(!r.truncated)
        #expect(r.measurement.segments == 2)
        #expect(r.template == "--message")
    }
}
