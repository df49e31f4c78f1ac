import AlertModel
import Foundation
import PropertyBased
import Testing

@testable import NotifyCore

/// Issue 18's property: for any Alertmanager payload shaped like a kube-prometheus stack's, the
/// SMS names the alert, its status and the affected object, fits `max_segments`, and carries
/// none of the scrape plumbing (the exporter's job, endpoint, service, pod, container,
/// namespace, address, Prometheus, bare `true`).
@Suite struct KubernetesSubjectPropertyTests {
    /// With GSM-7 annotations the essentials always fit, whatever the budget and encoding.
    @Test func anyKubernetesAlertNamesItsObjectAndNoPlumbing() async {
        await propertyCheck(
            count: 400,
            input: Gen.int(in: 0...(Scenario.kinds - 1)), Gen.int(in: 0...10_000).array(of: 6),
            Gen.int(in: 0...(Scenario.words.count - 1)).array(of: 0...40),
            Gen.int(in: 0...(Scenario.words.count - 1)).array(of: 0...60),
            zip(Gen.int(in: 1...3), Gen.int(in: 0...(EncodingMode.allCases.count - 1)))
        ) { kind, picks, summaryWords, descriptionWords, settings in
            let scenario = Scenario(
                kind: kind, picks: picks, summary: summaryWords.map { Scenario.words[$0] }.joined(separator: " "),
                description: descriptionWords.map { Scenario.words[$0] }.joined(separator: " "))
            let (segments, encoding) = (settings.0, EncodingMode.allCases[settings.1])
            let text = scenario.check(maxSegments: segments, encoding: encoding, essentialsFit: true)
            for token in scenario.plumbing where !scenario.legitimate.contains(where: { $0.contains(token) }) {
                #expect(!text.contains(token), "\(token) reached the text: \(text.debugDescription)")
            }
            #expect(!text.split(separator: " ").contains("true"), "\(text.debugDescription)")
        }
    }

    /// With any text in the annotations (emoji, accents, newlines, `:br:`), the SMS still fits,
    /// and keeps the essentials whenever they fit with room to spare in the encoding it ends up in.
    @Test func anyAnnotationsKeepTheEssentialsWhenTheyFit() async {
        await propertyCheck(
            count: 300,
            input: Gen.int(in: 0...(Scenario.kinds - 1)), Gen.int(in: 0...10_000).array(of: 6),
            RandomText.any(0...80), RandomText.any(0...120),
            zip(Gen.int(in: 1...3), Gen.int(in: 0...(EncodingMode.allCases.count - 1)))
        ) { kind, picks, summary, description, settings in
            let scenario = Scenario(kind: kind, picks: picks, summary: summary, description: description)
            let (segments, encoding) = (settings.0, EncodingMode.allCases[settings.1])
            // Room for the essentials in UCS-2, the narrowest encoding: 70 characters in one
            // segment, 67 in each of several, less a margin for the separators.
            let room = (segments == 1 ? 70 : 67 * segments) - 5
            _ = scenario.check(maxSegments: segments, encoding: encoding, essentialsFit: scenario.essentials.count <= room)
        }
    }

    /// A group of alerts of one rule: it fits, leads with the status and the rule, and names
    /// the object of the alert it lists first whenever the header and one line fit.
    @Test func anyGroupNamesTheRuleAndItsFirstObject() async {
        await propertyCheck(
            count: 200,
            input: Gen.int(in: 0...(Scenario.kinds - 1)), Gen.int(in: 0...10_000).array(of: 6).array(of: 1...12),
            Gen.int(in: 0...(Scenario.words.count - 1)).array(of: 0...20), Gen.int(in: 1...3)
        ) { kind, picksOfEach, summaryWords, segments in
            let summary = summaryWords.map { Scenario.words[$0] }.joined(separator: " ")
            let scenarios = picksOfEach.map { picks in
                // One rule, several objects: the name and severity of the first alert.
                Scenario(kind: kind, picks: [picksOfEach[0][0], picksOfEach[0][1]] + picks.dropFirst(2), summary: summary, description: "")
            }
            let body = Scenario.payload(scenarios)
            guard let notification = try? AlertmanagerDecoder.decode(body) else {
                Issue.record("the generated payload did not decode")
                return
            }
            let rendered = MessageRenderer(maxSegments: segments).render(notification)
            let text = rendered.message.text
            #expect(rendered.measurement.segments <= segments, "\(text.debugDescription)")
            #expect(text.hasPrefix(scenarios[0].status.uppercased()) || text.hasPrefix("FIRING"), "\(text.debugDescription)")
            #expect(text.contains(scenarios[0].alertname), "\(text.debugDescription)")
            // The alerts are listed firing first; whichever comes first, its object is there.
            let objects = scenarios.flatMap(\.objects)
            if scenarios[0].essentials.count * 2 <= (segments == 1 ? 160 : 153 * segments) {
                #expect(objects.contains { text.contains($0) }, "\(objects) \(text.debugDescription)")
            }
        }
    }
}

/// One generated alert: a rule, a status, a severity, the object in trouble and the labels a
/// Prometheus Operator scrape adds around it.
struct Scenario {
    /// Node (kube-state-metrics), pod, workload, node-exporter host, blackbox probe.
    static let kinds = 5

    static let alertnames = [
        "KubePodCrashLooping", "KubeNodeNotReady", "HostOutOfMemory", "BlackboxProbeFailed", "KubeJobFailed",
        "KubeDeploymentReplicasMismatch", "KubePersistentVolumeFillingUp", "NodeFilesystemSpaceFillingUp",
        "PodNotHealthy", "Watchdog2", "DiskFull", "ServiceSlow",
    ]
    static let severities = ["critical", "warning", "info", "page", ""]
    static let namespaces = ["shop", "db", "facturation", "kube-system", "payments-eu", "a"]
    static let workloads = ["deployment", "statefulset", "daemonset", "job_name", "cronjob", "persistentvolumeclaim", "horizontalpodautoscaler"]
    static let names = ["checkout-api", "orders", "postgres", "web", "x", "facturation-worker", "data-postgres-0", "ingress-nginx-controller"]
    static let domains = ["", ".eu-west-3.compute.internal", ".example.com", ".c.project.internal", ".lan"]
    /// Words of the annotations; none of them is a plumbing token or `true`.
    static let words = [
        "Pod", "is", "crash", "looping.", "Node", "not", "ready", "for", "more", "than", "15", "minutes.", "Disk",
        "full", "(< 10% left)", "Deployment", "has", "matched", "the", "expected", "number", "of", "replicas.",
        "Probe", "failed", "VALUE = 6.83", "{{ $labels.instance }}", "latency", "p99", "2.5s", "service", "down",
    ]

    var alertname: String
    var status: String
    var severity: String
    var labels: [String: String]
    var annotations: [String: String]
    /// Any one of these names the object in the text (the whole name or its first DNS label).
    var objects: [String]
    /// What only the scrape adds; none of it may reach the text.
    var plumbing: [String]

    init(kind: Int, picks: [Int], summary: String, description: String) {
        func pick<T>(_ values: [T], _ index: Int) -> T { values[picks[index % picks.count] % values.count] }
        alertname = pick(Self.alertnames, 0)
        severity = pick(Self.severities, 1)
        status = picks[2] % 3 == 0 ? "resolved" : "firing"
        let number = picks[3] % 250
        let name = pick(Self.names, 4) + (picks[4] % 2 == 0 ? "" : "-\(picks[4] % 97)")
        let namespace = pick(Self.namespaces, 5)
        let scraper = "10.\(200 + number % 50).\(number).\(number % 7 + 2)"
        labels = ["alertname": alertname, "prometheus": "monitoring/k8s-prom"]
        if !severity.isEmpty { labels["severity"] = severity }
        switch kind {
        case 0:  // KubeNodeNotReady-like: kube-state-metrics scraped through kube-rbac-proxy.
            let node = "ip-10-42-\(number)-\(picks[5] % 250)" + pick(Self.domains, 3)
            labels.merge([
                "node": node, "condition": "Ready", "status": "true", "job": "kube-state-metricz",
                "instance": "\(scraper):8443", "endpoint": "https-mainz", "service": "kube-state-metricz",
                "namespace": "monitoringz", "pod": "kube-state-metricz-6d4b8c7f9-qqqqq", "container": "kube-rbac-proxy-mainz",
            ]) { $1 }
            objects = [node, String(node.prefix { $0 != "." })]
            plumbing = [scraper, "https-mainz", "kube-state-metricz", "monitoringz", "kube-rbac-proxy-mainz", "k8s-prom"]
        case 1:  // A pod's alert from kube-state-metrics (honorLabels: the pod is the object's).
            let pod = "\(name)-7d9f8b6c4d-x\(number)q"
            labels.merge([
                "namespace": namespace, "pod": pod, "container": name, "job": "kube-state-metricz",
                "instance": "\(scraper):8443", "endpoint": "https-mainz", "service": "kube-state-metricz",
            ]) { $1 }
            objects = [pod]
            plumbing = [scraper, "https-mainz", "kube-state-metricz", "k8s-prom"]
        case 2:  // A workload's alert, or a volume claim's from the kubelet.
            let workload = pick(Self.workloads, 3)
            let exporter = workload == "persistentvolumeclaim" ? "kubeletz" : "kube-state-metricz"
            labels.merge([
                "namespace": namespace, workload: name, "job": exporter,
                "instance": "\(scraper):10250", "endpoint": "https-metricz", "service": exporter,
            ]) { $1 }
            objects = [name]
            plumbing = [scraper, "https-metricz", "kube-state-metricz", "kubeletz", "k8s-prom"]
        case 3:  // node-exporter: the instance is the host itself.
            let host = "app-\(number)" + pick(Self.domains, 3)
            labels.merge([
                "instance": "\(host):9100", "job": "node-exporterz", "endpoint": "httpz", "service": "node-exporterz",
                "namespace": "monitoringz", "pod": "node-exporterz-\(number)qq", "container": "node-exporterz",
                "mountpoint": "/", "fstype": "ext4",
            ]) { $1 }
            objects = [host, String(host.prefix { $0 != "." })]
            plumbing = ["node-exporterz", "monitoringz", "httpz", "k8s-prom"]
        default:  // A blackbox probe: the instance is the probed URL.
            let host = "\(name)\(pick(Self.domains, 3).isEmpty ? ".example.org" : pick(Self.domains, 3))"
            labels.merge([
                "instance": "https://\(host)/health", "job": "probe/monitoringz/blackboxz", "module": "http_2xx",
                "namespace": "monitoringz", "pod": "blackbox-exporterz-\(number)", "service": "blackbox-exporterz",
            ]) { $1 }
            objects = [host, String(host.prefix { $0 != "." })]
            plumbing = ["monitoringz", "blackboxz", "blackbox-exporterz", "k8s-prom"]
        }
        annotations = [:]
        if !summary.isEmpty { annotations["summary"] = summary }
        if !description.isEmpty { annotations["description"] = description }
    }

    /// Inputs that may rightly carry a token of the plumbing.
    var legitimate: [String] { [alertname, annotations["summary"] ?? "", annotations["description"] ?? ""] + objects }

    /// `STATUS alertname object severity`: what must survive.
    var essentials: String { "\(status.uppercased()) \(alertname) \(objects[0]) \(severity)" }

    /// Renders this alert alone and checks the budget, and the essentials when they fit.
    func check(maxSegments: Int, encoding: EncodingMode, essentialsFit: Bool) -> String {
        guard let notification = try? AlertmanagerDecoder.decode(Self.payload([self])) else {
            Issue.record("the generated payload did not decode: \(labels)")
            return ""
        }
        let rendered = MessageRenderer(maxSegments: maxSegments, encoding: encoding).render(notification)
        let text = rendered.message.text
        #expect(rendered.measurement.segments <= maxSegments, "\(text.debugDescription)")
        if essentialsFit {
            #expect(text.hasPrefix(status.uppercased()), "\(text.debugDescription)")
            #expect(text.contains(alertname), "\(text.debugDescription)")
            #expect(objects.contains { text.contains($0) }, "\(objects) \(text.debugDescription)")
            if !severity.isEmpty { #expect(text.contains(severity), "\(text.debugDescription)") }
        }
        return text
    }

    /// An Alertmanager webhook body (version 4) carrying `alerts`.
    static func payload(_ alerts: [Scenario]) -> [UInt8] {
        let common = alerts.dropFirst().reduce(alerts.first?.labels ?? [:]) { common, alert in
            common.filter { alert.labels[$0.key] == $0.value }
        }
        let body: [String: Any] = [
            "version": "4", "receiver": "sms", "status": alerts.contains { $0.status == "firing" } ? "firing" : "resolved",
            "groupKey": "{}:{alertname=\"\(alerts.first?.alertname ?? "")\"}", "groupLabels": ["alertname": alerts.first?.alertname ?? ""],
            "commonLabels": common, "commonAnnotations": [String: String](), "externalURL": "http://alertmanager:9093",
            "alerts": alerts.enumerated().map { index, alert in
                [
                    "status": alert.status, "labels": alert.labels, "annotations": alert.annotations,
                    "startsAt": "2026-12-04T01:44:30.881Z",
                    "endsAt": alert.status == "resolved" ? "2026-12-04T02:44:30.881Z" : "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus:9090/graph", "fingerprint": "783a7de520b98\(index + 100)",
                ] as [String: Any]
            },
        ]
        return (try? [UInt8](JSONSerialization.data(withJSONObject: body))) ?? []
    }
}
