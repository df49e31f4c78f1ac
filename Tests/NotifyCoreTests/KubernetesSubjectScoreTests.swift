import AlertModel
import Foundation
import Testing

@testable import NotifyCore

/// Alertmanager payloads shaped like a kube-prometheus stack's (kubernetes-mixin, node-exporter,
/// blackbox, awesome-prometheus-alerts), each with what its single SMS must keep
/// (`Fixtures/kubernetes/NAME.expect`: alert name, status, severity, the affected object).
/// The score is printed; a fixture that loses one of them fails.
@Suite struct KubernetesSubjectScoreTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kubernetes")

    @Test func everySMSKeepsNameStatusSeverityAndTheAffectedObject() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count >= 60)
        var kept = 0
        var lost: [String] = []
        for name in names {
            let body = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
            let expect = try String(contentsOf: Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".json", with: ".expect")), encoding: .utf8)
            var wanted: [String: [String]] = [:]
            for line in expect.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                wanted[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
            }
            let notification = try AlertmanagerDecoder.decode(body)
            let rendered = MessageRenderer().render(notification)
            let text = rendered.message.text
            var missing: [String] = []
            if let alertname = wanted["alertname"]?.first, !text.contains(alertname) { missing.append("alertname") }
            if let status = wanted["status"]?.first, !text.uppercased().contains(status.uppercased()) { missing.append("status") }
            if let severity = wanted["severity"]?.first, severity != "none", !text.contains(severity) { missing.append("severity") }
            if let objects = wanted["object"], !objects.contains(where: { text.contains($0) }) { missing.append("object") }
            if rendered.measurement.segments > 1 { missing.append("segments") }
            if missing.isEmpty { kept += 1 } else { lost.append("\(name): \(missing.joined(separator: ",")): \(text)") }
        }
        let share = Double(kept) / Double(max(names.count, 1)) * 100
        print("[subjects] \(kept) of \(names.count) SMS keep alert name, status, severity and the affected object (\(String(format: "%.1f", share)) %)")
        for line in lost { print("[subjects] lost: \(line)") }
        // Measured 97.7 % (85 of 87) when the fixtures were added; the goal is 98 %.
        #expect(share >= KubernetesSubjectScoreTests.floor, "\(lost.joined(separator: "\n"))")
    }

    static let floor = 97.0
}
