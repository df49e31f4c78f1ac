/// `render-bench`: in-process throughput of the decode and render steps.
///
/// Measures, each for at least `--seconds` (default 2) seconds:
/// 1. `AlertmanagerDecoder.decode` of a 100-alert webhook payload (decode + group);
/// 2. the same decode followed by `MessageRenderer().render` (decode + group + render);
/// 3. a single Nagios service notification from `NAGIOS_*` macros, decoded and rendered;
/// 4. the same from the contract's flags.
///
/// The payload is generated here, deterministically (no file to ship): 100 alerts with
/// realistic labels and annotations, mixed severities, about half of them firing.
///
///     "$(scripts/build-release --scratch-path .build-bench render-bench)/render-bench"
///     "$(scripts/build-release --scratch-path .build-bench render-bench)/render-bench" --payload > am-100.json
///
/// `--payload` prints that payload and exits (scripts/bench-dry-run feeds it to the CLI).
import AlertModel
import NotifyCore
import SeededRandom

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The payload

/// One alert of the webhook, as Alertmanager writes it.
struct WebhookAlert: Encodable {
    var status: String
    var labels: [String: String]
    var annotations: [String: String]
    var startsAt: String
    var endsAt: String
    var generatorURL: String
    var fingerprint: String
}

/// An Alertmanager webhook (version 4) body.
struct Webhook: Encodable {
    var version = "4"
    var groupKey: String
    var truncatedAlerts = 0
    var status: String
    var receiver: String
    var groupLabels: [String: String]
    var commonLabels: [String: String]
    var commonAnnotations: [String: String]
    var externalURL: String
    var alerts: [WebhookAlert]
}

/// The 100-alert payload: one group (`cluster="prod-eu"`) of node, Kubernetes and
/// application alerts, mixed severities, about half firing.
func alertmanagerPayload(alerts count: Int = 100) -> [UInt8] {
    var random = SplitMix64(seed: 0x00C0_FFEE)  // seeded: every run benchmarks the same bytes
    let rules: [(name: String, job: String, summary: String, description: String)] = [
        ("NodeFilesystemAlmostFull", "node", "Filesystem almost full on {host}", "Filesystem / on {host}:9100 has {n}% available space left."),
        ("NodeHighCPULoad", "node", "High CPU load on {host}", "CPU load on {host} is {n}% over the last 15 minutes."),
        ("NodeMemoryPressure", "node", "Memory pressure on {host}", "Only {n}% of memory is available on {host}."),
        ("HighLatency", "api", "p99 latency above 2s on {host}", "The 99th percentile of request latency on {host} is {n}00 ms."),
        ("HTTPErrorRateHigh", "api", "5xx rate above 5% on {host}", "{n}% of requests to {host} failed with a 5xx status in the last 5 minutes."),
        ("KubePodCrashLooping", "kube-state-metrics", "Pod is crash looping", "Pod payments/api-{n} (container api) restarted 6 times in the last 15 minutes."),
        ("KubeDeploymentReplicasMismatch", "kube-state-metrics", "Deployment has not matched the expected number of replicas", "Deployment payments/api has {n} of 6 replicas available for 15 minutes."),
        ("PostgresReplicationLag", "postgres", "Replication lag on {host}", "The replica {host} is {n} seconds behind its primary."),
        ("CertificateExpiringSoon", "blackbox", "TLS certificate expires soon", "The certificate of https://{host}/ expires in {n} days."),
        ("BlackboxProbeFailed", "blackbox", "Probe failed for {host}", "The HTTP probe of {host} failed {n} times in a row."),
    ]
    let severities = ["critical", "warning", "warning", "info", "critical", "warning"]
    let zones = ["eu-west-3a", "eu-west-3b", "eu-west-3c"]
    var alerts: [WebhookAlert] = []
    for index in 0..<count {
        let rule = rules[Int(random.next() % UInt64(rules.count))]
        let host = "\(["web", "api", "db", "cache", "worker"][index % 5])\(index / 5 + 1).prod-eu.example.net"
        let n = Int(random.next() % 90) + 5
        func fill(_ text: String) -> String {
            text.replacingOccurrences(of: "{host}", with: host).replacingOccurrences(of: "{n}", with: String(n))
        }
        let firing = random.next() % 2 == 0
        let minute = Int(random.next() % 60)
        var labels = [
            "alertname": rule.name,
            "cluster": "prod-eu",
            "instance": "\(host):9100",
            "job": rule.job,
            "severity": severities[Int(random.next() % UInt64(severities.count))],
            "zone": zones[index % zones.count],
            "prometheus": "monitoring/k8s",
        ]
        if rule.job == "kube-state-metrics" {
            labels["namespace"] = "payments"
            labels["pod"] = "api-\(n)"
            labels["container"] = "api"
        }
        alerts.append(WebhookAlert(
            status: firing ? "firing" : "resolved",
            labels: labels,
            annotations: [
                "summary": fill(rule.summary),
                "description": fill(rule.description),
                "runbook_url": "https://runbooks.example.net/\(rule.name.lowercased())",
            ],
            startsAt: "2025-03-14T08:\(minute < 10 ? "0" : "")\(minute):04.511893012Z",
            endsAt: firing ? "0001-01-01T00:00:00Z" : "2025-03-14T09:15:00Z",
            generatorURL: "http://prometheus.example.net:9090/graph?g0.expr=ALERTS%7Balertname%3D%22\(rule.name)%22%7D&g0.tab=1",
            fingerprint: String(random.next(), radix: 16)
        ))
    }
    let webhook = Webhook(
        groupKey: "{}/{cluster=\"prod-eu\"}:{cluster=\"prod-eu\"}",
        status: alerts.contains { $0.status == "firing" } ? "firing" : "resolved",
        receiver: "sms-oncall",
        groupLabels: ["cluster": "prod-eu"],
        commonLabels: ["cluster": "prod-eu", "prometheus": "monitoring/k8s"],
        commonAnnotations: [:],
        externalURL: "http://alertmanager.example.net:9093",
        alerts: alerts
    )
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(webhook) else {
        fatalError("the benchmark payload does not encode")
    }
    return [UInt8](data)
}

/// The environment Nagios 4 exports to a service notification command (the part the decoder
/// reads, plus the usual unrelated macros it must skip).
let nagiosEnvironment: [String: String] = {
    var environment = [
        "NAGIOS_NOTIFICATIONTYPE": "PROBLEM",
        "NAGIOS_HOSTNAME": "web01",
        "NAGIOS_HOSTALIAS": "Web server 01 (Paris)",
        "NAGIOS_HOSTADDRESS": "192.0.2.10",
        "NAGIOS_HOSTSTATE": "UP",
        "NAGIOS_SERVICEDESC": "HTTP",
        "NAGIOS_SERVICEDISPLAYNAME": "HTTP",
        "NAGIOS_SERVICESTATE": "CRITICAL",
        "NAGIOS_SERVICEOUTPUT": "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 532 bytes in 0.012 second response time",
        "NAGIOS_LONGSERVICEOUTPUT": "",
        "NAGIOS_SERVICEPROBLEMID": "18342",
        "NAGIOS_LASTSERVICEPROBLEMID": "17001",
        "NAGIOS_LONGDATETIME": "Tue May 14 10:32:11 CEST 2024",
        "NAGIOS_CONTACTPAGER": "+33612345678",
        "NAGIOS_NOTIFICATIONAUTHOR": "",
        "NAGIOS_NOTIFICATIONCOMMENT": "",
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C",
    ]
    for index in 0..<5 { environment["NAGIOS_CONTACTADDRESS\(index)"] = "" }
    for name in ["HOSTDURATION", "SERVICEDURATION", "HOSTGROUPNAMES", "SERVICEPERFDATA", "TOTALSERVICESOK", "TIMET", "DATE", "TIME", "SERVICEEXECUTIONTIME", "SERVICELATENCY"] {
        environment["NAGIOS_\(name)"] = "value of \(name)"
    }
    return environment
}()

// MARK: - Measuring

/// Runs `operation` in growing batches until `seconds` have passed; prints ops/s and µs/op.
/// `operation` returns a number that is summed so the work cannot be optimised away.
func measure(_ name: String, seconds: Double, _ operation: () -> Int) -> Int {
    let clock = ContinuousClock()
    var sink = 0
    for _ in 0..<10 { sink &+= operation() }  // warm-up
    var operations = 0
    var batch = 1
    let start = clock.now
    var elapsed = Duration.zero
    let goal = Duration.milliseconds(Int64(seconds * 1000))
    while elapsed < goal {
        for _ in 0..<batch { sink &+= operation() }
        operations += batch
        elapsed = start.duration(to: clock.now)
        if batch < 1 << 16 { batch *= 2 }
    }
    let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perSecond = Double(operations) / total
    let micros = total * 1e6 / Double(operations)
    let name = name.padding(toLength: 44, withPad: " ", startingAt: 0)
    let rate = String(Int(perSecond.rounded()))
    let perOp = String((micros * 100).rounded() / 100)
    print("\(name) \(String(repeating: " ", count: max(0, 10 - rate.count)))\(rate) ops/s  \(String(repeating: " ", count: max(0, 10 - perOp.count)))\(perOp) µs/op  (\(operations) ops)")
    return sink
}

// MARK: - Main

let arguments = CommandLine.arguments.dropFirst()
let payload = alertmanagerPayload()
if arguments.contains("--payload") {
    print(String(decoding: payload, as: UTF8.self))
    exit(0)
}
var seconds = 2.0
if let index = arguments.firstIndex(of: "--seconds"), arguments.index(after: index) < arguments.endIndex,
    let value = Double(arguments[arguments.index(after: index)])
{
    seconds = max(0.1, value)
}

let renderer = MessageRenderer()
let flags = AlertInput.Flags(
    notificationType: "PROBLEM", host: "web01", service: "HTTP", serviceState: "CRITICAL",
    output: "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 532 bytes in 0.012 second response time"
)

// Check the inputs once, and show what is being rendered.
do {
    let notification = try AlertmanagerDecoder.decode(payload)
    let rendered = renderer.render(notification)
    print("payload: \(payload.count) bytes, \(notification.alerts.count) alerts (\(notification.firingCount) firing, \(notification.resolvedCount) resolved)")
    print("rendered (\(rendered.measurement.segments) segment, \(rendered.measurement.units) units, \(rendered.measurement.encoding)):")
    print("  " + rendered.message.text.split(separator: "\n").joined(separator: "\n  "))
    let nagios = try NagiosDecoder.decode(AlertInput(environment: nagiosEnvironment))
    print("nagios: \(renderer.render(nagios).message.text)")
} catch {
    print("render-bench: the benchmark inputs do not decode: \(error)")
    exit(1)
}
print("")

var sink = 0
sink &+= measure("alertmanager 100 alerts: decode", seconds: seconds) {
    (try? AlertmanagerDecoder.decode(payload))?.alerts.count ?? -1
}
sink &+= measure("alertmanager 100 alerts: decode+group+render", seconds: seconds) {
    guard let notification = try? AlertmanagerDecoder.decode(payload) else { return -1 }
    return renderer.render(notification).measurement.units
}
sink &+= measure("nagios env, 1 alert: decode+render", seconds: seconds) {
    guard let notification = try? NagiosDecoder.decode(AlertInput(environment: nagiosEnvironment)) else { return -1 }
    return renderer.render(notification).measurement.units
}
sink &+= measure("nagios flags, 1 alert: decode+render", seconds: seconds) {
    guard let notification = try? NagiosDecoder.decode(AlertInput(flags: flags)) else { return -1 }
    return renderer.render(notification).measurement.units
}
if sink == 42 { print("") }  // keeps `sink` alive
