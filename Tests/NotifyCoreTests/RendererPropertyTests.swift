import AlertModel
import PropertyBased
import SMSText
import Testing

@testable import NotifyCore

/// Whatever the alert says, the SMS fits `max_segments`, and the essentials (type, host,
/// service, state) survive when they fit by themselves.
@Suite struct RendererPropertyTests {
    static let encodings = EncodingMode.allCases

    @Test func anyServiceAlertFitsAndKeepsItsEssentials() async {
        await propertyCheck(
            count: 300,
            input: RandomText.name(0...20), RandomText.name(0...20), RandomText.any(0...200), RandomText.any(0...200),
            zip(Gen.int(in: 1...3), Gen.int(in: 0...(Self.encodings.count - 1)))
        ) { host, service, output, details, settings in
            let (segments, encoding) = (settings.0, Self.encodings[settings.1])
            let alert = Alert(
                source: .nagios, notificationType: "PROBLEM", host: host, service: service, serviceState: "CRITICAL",
                output: output, longOutput: details)
            let renderer = MessageRenderer(maxSegments: segments, encoding: encoding)
            let rendered = renderer.render(Notification(single: alert))
            #expect(rendered.measurement.segments <= segments, "\(rendered.message.text)")
            #expect(rendered.measurement == rendered.message.measure())
            #expect(rendered.message.text.hasPrefix("PROBLEM \(host)/\(service) CRITICAL"), "\(rendered.message.text)")
        }
    }

    @Test func anyGroupFitsAndNamesItsFirstAlert() async {
        await propertyCheck(
            count: 150,
            input: RandomText.name(1...15).array(of: 1...30), RandomText.any(0...60), Gen.int(in: 1...3)
        ) { names, summary, segments in
            let alerts = names.enumerated().map { index, name in
                Alert(source: .alertmanager, notificationType: index % 3 == 0 ? "resolved" : "firing", host: "\(name):9100",
                      service: "Alert\(index % 4)", summary: summary, severity: ["critical", "warning", "info"][index % 3])
            }
            let notification = AlertGrouping.group(
                alerts, status: "firing", receiver: "sms", groupKey: "{}:{}", groupLabels: [], commonLabels: [],
                commonAnnotations: [], externalURL: nil, truncatedAlerts: 0)
            let rendered = MessageRenderer(maxSegments: segments).render(notification)
            #expect(rendered.measurement.segments <= segments, "\(rendered.message.text)")
            #expect(rendered.message.text.hasPrefix("FIRING"), "\(rendered.message.text)")
        }
    }

    @Test func anyPlainTextFits() async {
        await propertyCheck(count: 300, input: RandomText.any(1...300), Gen.int(in: 1...4)) { text, segments in
            for encoding in Self.encodings {
                let rendered = MessageRenderer(maxSegments: segments, encoding: encoding).render(text: text)
                #expect(rendered.measurement.segments <= segments)
            }
        }
    }
}
