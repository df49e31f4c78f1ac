import AlertModel
@testable import NotifyCore
import SMSText
import Testing

@Suite struct MessageRendererTests {
    let renderer = MessageRenderer()

    func render(_ alert: Alert, _ renderer: MessageRenderer = MessageRenderer()) -> RenderedMessage {
        renderer.render(Notification(single: alert))
    }

    static let webProblem = Alert(
        source: .nagios, notificationType: "PROBLEM", host: "web01", service: "HTTP",
        serviceState: "CRITICAL", output: "Connection refused")

    @Test func aServiceProblemPutsTheEssentialsFirst() {
        let r = render(Self.webProblem)
        #expect(r.message.text == "PROBLEM web01/HTTP CRITICAL: Connection refused")
        #expect(r.template == "service (built-in)")
        #expect(r.measurement.segments == 1)
        #expect(r.truncated.isEmpty)
    }

    @Test func aHostNotificationUsesTheHostState() {
        let alert = Alert(source: .nagios, notificationType: "RECOVERY", host: "db1", hostState: "UP", output: "PING OK - rta 0.4 ms")
        #expect(render(alert).message.text == "RECOVERY db1 UP: PING OK - rta 0.4 ms")
        #expect(render(alert).template == "host (built-in)")
    }

    @Test func anAcknowledgementShowsWhoAndTheirComment() {
        var alert = Self.webProblem
        alert.notificationType = "ACKNOWLEDGEMENT"
        alert.author = "alice"
        alert.comment = "on it"
        #expect(render(alert).message.text == "ACKNOWLEDGEMENT web01/HTTP CRITICAL by alice: on it")
    }

    @Test func missingPartsAreLeftOutCleanly() {
        #expect(render(Alert(source: .nagios, host: "web01")).message.text == "web01")
        #expect(render(Alert(source: .nagios, output: "just output")).message.text == "just output")
        #expect(render(Alert(source: .nagios, notificationType: "CUSTOM", host: "h", service: "s")).message.text == "CUSTOM h/s")
    }

    @Test func genericTextKeepsItsLines() {
        let r = render(Alert(source: .generic, summary: "disk full", details: "/var 97%"))
        #expect(r.message.text == "disk full\n/var 97%")
        #expect(r.message.platformText == "disk full:br:/var 97%")
        #expect(r.measurement.units == 19)
        #expect(r.template == "generic-text (built-in)")
    }

    @Test func aLongOutputIsCutAtAWordAndMarked() {
        var alert = Self.webProblem
        alert.output = String(repeating: "lorem ipsum ", count: 40)
        let r = render(alert)
        #expect(r.truncated == ["message"])
        #expect(r.measurement.segments == 1)
        #expect(r.message.text.hasPrefix("PROBLEM web01/HTTP CRITICAL: lorem"))
        #expect(r.message.text.hasSuffix("ipsum...") || r.message.text.hasSuffix("lorem..."))
    }

    @Test func detailsGoBeforeTheSummary() {
        let alert = Alert(source: .generic, summary: "backup failed on nas1", details: String(repeating: "log line ", count: 40))
        let r = render(alert)
        #expect(r.truncated == ["details"])
        #expect(r.message.text.hasPrefix("backup failed on nas1\nlog line"))
        #expect(r.measurement.segments == 1)
    }

    @Test func typeHostServiceAndStateSurviveAHugeOutput() {
        var alert = Self.webProblem
        alert.output = String(repeating: "é€ü😀 ", count: 10_000)
        for segments in 1...3 {
            let r = render(alert, MessageRenderer(maxSegments: segments))
            #expect(r.message.text.hasPrefix("PROBLEM web01/HTTP CRITICAL"))
            #expect(r.measurement.segments <= segments)
        }
    }

    @Test func moreSegmentsWhenTheBudgetAllows() {
        let text = String(repeating: "x", count: 300)
        let r = MessageRenderer(maxSegments: 2).render(text: text)
        #expect(r.truncated.isEmpty)
        #expect(r.measurement.segments == 2)
        #expect(r.template == "--message")
    }

    @Test func aTextThatCannotFitIsCutWhole() {
        let r = MessageRenderer().render(text: String(repeating: "word ", count: 100))
        #expect(r.truncated == ["text"])
        #expect(r.measurement.segments == 1)
    }

    // MARK: Encoding

    @Test func autoTransliteratesStrayCharactersToStayInGSM7() {
        var alert = Self.webProblem
        alert.output = "“Connexion refusée” – réessai… 😀"
        let r = render(alert)
        #expect(r.message.text == "PROBLEM web01/HTTP CRITICAL: \"Connexion refusée\" - réessai...")
        #expect(r.measurement.encoding == .gsm7)
        #expect(r.transliterated.map(\.from).sorted() == ["–", "“", "”", "…", "😀"].sorted())
    }

    @Test func autoKeepsATrulyNonLatinTextInUCS2() {
        var alert = Self.webProblem
        alert.output = "Соединение отклонено"
        let r = render(alert)
        #expect(r.measurement.encoding == .ucs2)
        #expect(r.message.text.hasSuffix("Соединение отклонено"))
        #expect(r.transliterated.isEmpty)
    }

    @Test func gsm7ForcesTransliterationAndUnicodeNever() {
        var alert = Self.webProblem
        alert.output = "Соединение “refused”"
        let gsm = render(alert, MessageRenderer(encoding: .gsm7))
        #expect(gsm.measurement.encoding == .gsm7)
        #expect(gsm.message.text.hasSuffix("? \"refused\""))
        let unicode = render(alert, MessageRenderer(encoding: .unicode))
        #expect(unicode.measurement.encoding == .ucs2)
        #expect(unicode.message.text.hasSuffix("“refused”"))
    }

    @Test func theCutMarkFollowsTheEncoding() {
        var alert = Self.webProblem
        alert.output = String(repeating: "отказ ", count: 40)
        let r = render(alert)
        #expect(r.measurement.encoding == .ucs2)
        #expect(r.message.text.hasSuffix("…"))
    }

    // MARK: Groups

    static func amAlert(_ name: String, _ instance: String, _ severity: String, status: String = "firing", summary: String) -> Alert {
        Alert(
            source: .alertmanager, notificationType: status, host: instance, service: name, summary: summary,
            severity: severity,
            labels: [Label("alertname", name), Label("env", "prod"), Label("instance", instance), Label("severity", severity)],
            dedupKey: "\(name)\(instance):\(status)")
    }

    @Test func aGroupListsTheAlertsUnderOneHeader() {
        let alerts = (1...3).map { Self.amAlert("HighLatency", "api-\($0)", "warning", status: "resolved", summary: "p99 ok") }
        let group = AlertGrouping.group(
            alerts, status: "resolved", receiver: "oncall", groupKey: nil, groupLabels: [],
            commonLabels: [Label("alertname", "HighLatency"), Label("env", "prod"), Label("severity", "warning")],
            commonAnnotations: [], externalURL: nil, truncatedAlerts: 0)
        let r = renderer.render(group)
        #expect(r.message.text == "RESOLVED [3] HighLatency warning prod\napi-1: p99 ok\napi-2: p99 ok\napi-3: p99 ok", "the common severity once, in the header")
        #expect(r.template == "alertmanager-group (built-in)")
    }

    @Test func aLargeGroupSaysHowManyMore() {
        let alerts = (1...40).map { Self.amAlert("DiskFull", "node-\($0)", $0 == 7 ? "critical" : "warning", summary: "disk almost full on node \($0)") }
        let group = AlertGrouping.group(
            alerts, status: "firing", receiver: nil, groupKey: nil, groupLabels: [],
            commonLabels: [], commonAnnotations: [], externalURL: nil, truncatedAlerts: 10)
        let r = renderer.render(group)
        #expect(r.measurement.segments == 1)
        #expect(r.message.text.hasPrefix("FIRING [50] DiskFull\nnode-7 critical\nnode-10 warning"))
        #expect(r.message.text.range(of: #"\+\d+ more$"#, options: .regularExpression) != nil)
        #expect(r.truncated.contains("alerts"))
    }

    // MARK: Templates

    @Test func aConfiguredTemplateWinsByMostSpecificName() throws {
        let templates = try TemplateSet(overrides: [
            (name: "nagios", text: "N {{host}}"),
            (name: "nagios-service-recovery", text: "OK again: {{target}}"),
            (name: "recovery", text: "R {{host}}"),
        ])
        let r = MessageRenderer(templates: templates)
        #expect(render(Self.webProblem, r).message.text == "N web01")
        #expect(render(Self.webProblem, r).template == "nagios (config)")
        var recovery = Self.webProblem
        recovery.notificationType = "RECOVERY"
        #expect(render(recovery, r).message.text == "OK again: web01/HTTP")
        #expect(render(Alert(source: .icinga, notificationType: "RECOVERY", host: "db1"), r).message.text == "R db1")
        #expect(render(Alert(source: .icinga, notificationType: "PROBLEM", host: "db1", hostState: "DOWN"), r).message.text == "PROBLEM db1 DOWN")
    }

    @Test func templatesRenderPlainTextNotHTML() throws {
        let templates = try TemplateSet(overrides: [(name: "default", text: "{{output}} & {{labels.team}}")])
        let alert = Alert(source: .nagios, host: "h", output: "<a> & \"b\"", labels: [Label("team", "ops&dev")])
        #expect(render(alert, MessageRenderer(templates: templates)).message.text == "<a> & \"b\" & ops&dev")
    }

    @Test func aBrokenTemplateOrAnUnknownNameIsRefused() {
        #expect(throws: TemplateError.self) { try TemplateSet(overrides: [(name: "default", text: "{{#host}} unclosed")]) }
        #expect(throws: TemplateError.unknownName("nagois")) { try TemplateSet(overrides: [(name: "nagois", text: "x")]) }
    }

    @Test func everyBuiltInTemplateCompiles() {
        #expect(TemplateSet.builtIn.entries.count == TemplateSet.builtInSources.count)
        // Built-ins compile on first use (the renderer would fall back to the bare summary).
        for (name, entry) in TemplateSet.builtIn.entries {
            #expect(entry.template != nil, "built-in template \(name) does not compile")
        }
    }
}
