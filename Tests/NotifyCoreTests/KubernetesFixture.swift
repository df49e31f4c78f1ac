import AlertModel
import Foundation
import TestSupport

/// One Alertmanager payload of `Fixtures/kubernetes/`, shaped like a kube-prometheus stack's
/// (kubernetes-mixin, node-exporter, blackbox, awesome-prometheus-alerts), with what its SMS
/// must keep (`NAME.expect`: `alertname=`, `status=`, `severity=`, one or more `object=`) and the
/// SMS it renders with the built-in templates (`NAME.sms`).
struct KubernetesFixture: Sendable {
    /// `NAME.json`.
    var name: String
    /// The webhook body.
    var body: [UInt8]
    /// What the SMS must keep: `alertname`, `status`, `severity` (one each; `none` when the
    /// alert has none) and `object` (any one of them).
    var wanted: [String: [String]]

    /// Every fixture, by name.
    static func all() throws -> [KubernetesFixture] {
        try FixtureDirectory.kubernetes.names().filter { $0.hasSuffix(".json") }.map { try KubernetesFixture(name: $0) }
    }

    init(name: String) throws {
        self.name = name
        body = try FixtureDirectory.kubernetes.bytes(name)
        let expect = try FixtureDirectory.kubernetes.text(Self.sibling(of: name, ".expect"))
        wanted = [:]
        for line in expect.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            wanted[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
    }

    /// The expected SMS file, `NAME.sms`.
    var expectedText: String { Self.sibling(of: name, ".sms") }

    /// What `text` lost of what it must keep: `alertname`, `status`, `severity`, `object`.
    func missing(in text: String) -> [String] {
        var missing: [String] = []
        if let alertname = wanted["alertname"]?.first, !text.contains(alertname) { missing.append("alertname") }
        if let status = wanted["status"]?.first, !text.uppercased().contains(status.uppercased()) { missing.append("status") }
        if let severity = wanted["severity"]?.first, severity != "none", !text.contains(severity) { missing.append("severity") }
        if let objects = wanted["object"], !objects.contains(where: { text.contains($0) }) { missing.append("object") }
        return missing
    }

    static func sibling(of name: String, _ suffix: String) -> String {
        String(name.dropLast(".json".count)) + suffix
    }
}
