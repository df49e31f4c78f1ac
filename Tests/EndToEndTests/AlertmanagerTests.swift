import Foundation
import SMSPartner
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// A real Alertmanager (Debian's prometheus-alertmanager) on loopback, with its own
// configuration and storage in a temporary directory, short group_wait/group_interval, and
// its webhook pointed at a `serve` started by the test with Basic credentials. Alerts are
// posted to its API as Prometheus would. Without the binary the suite fails, unless
// SMSPARTNER_SKIP_ALERTMANAGER=1.

/// One Alertmanager process, stopped by PID when the test ends.
final class AlertmanagerProcess: Sendable {
    static let binary = "/usr/bin/prometheus-alertmanager"
    static let skipRequested = ProcessInfo.processInfo.environment["SMSPARTNER_SKIP_ALERTMANAGER"] == "1"

    let process: Process
    let port: Int
    let scratch: TemporaryDirectory

    var url: String { "http://127.0.0.1:\(port)" }

    /// `peers`: cluster addresses of the other members (`clusterPort` is this one's); none:
    /// clustering off. `repeatInterval`: the route's `repeat_interval` (how soon an unchanged
    /// firing group is notified again).
    /// `listenPort`: where it listens (a free port when nil). `alsoTo`: more webhook URLs of
    /// the same receiver (one `webhook_configs` entry each, with the same credentials): each
    /// notification is posted to every one.
    init(webhook: String, alsoTo moreWebhooks: [String] = [], passwordFile: String, clusterPort: Int? = nil, peers: [Int] = [],
         repeatInterval: String = "1h", listenPort: Int? = nil) async throws {
        scratch = try TemporaryDirectory()
        let port = try listenPort ?? RawConnection.freePort()
        self.port = port
        let webhookConfigs = ([webhook] + moreWebhooks).map { url in
            """
                  - url: \(url)
                    send_resolved: true
                    http_config:
                      basic_auth:
                        username: alertmanager
                        password_file: \(passwordFile)
            """
        }.joined(separator: "\n")
        let config = try scratch.write("alertmanager.yml", """
            route:
              receiver: sms-oncall
              group_by: [alertname]
              group_wait: 1s
              group_interval: 2s
              repeat_interval: \(repeatInterval)
            receivers:
              - name: sms-oncall
                webhook_configs:
            \(webhookConfigs)
            """)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        var arguments = [
            "--config.file=\(config)", "--storage.path=\(scratch.path("data"))", "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
        ]
        if let clusterPort {
            arguments += ["--cluster.listen-address=127.0.0.1:\(clusterPort)", "--cluster.peer-timeout=2s",
                          "--cluster.gossip-interval=100ms", "--cluster.pushpull-interval=1s", "--cluster.settle-timeout=2s"]
            arguments += peers.map { "--cluster.peer=127.0.0.1:\($0)" }
        } else {
            arguments.append("--cluster.listen-address=")  // clustering off
        }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: try scratch.write("stdout", "")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: try scratch.write("stderr", "")))
        try process.run()
        let ready = await ServeProcess.eventually(.seconds(20)) {
            (try? CurlHTTPClient(userAgent: "e2e").perform(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/-/ready", timeout: .seconds(1))))?.status == 200
        }
        guard ready else {
            kill(process.processIdentifier, SIGKILL)
            throw CLIError.timedOut(arguments: arguments, after: .seconds(20), killedAfter: .zero, stdout: "", stderr: log)
        }
    }

    deinit {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        scratch.remove()
    }

    var log: String { (try? String(contentsOfFile: scratch.path("stderr"), encoding: .utf8)) ?? "" }

    /// Posts alerts to `/api/v2/alerts`, as Prometheus does. `resolved`: with an end time
    /// in the past.
    /// Posts alerts as Prometheus does; `startsAt`, when given, is the alerts' start (Prometheus
    /// sends the same one to every Alertmanager of a pair; without it, each one stamps its own).
    func post(_ alerts: [(name: String, instance: String)], resolved: Bool = false, startsAt: Date? = nil) async throws {
        let formatter = ISO8601DateFormatter()
        let body = alerts.map { alert -> [String: Any] in
            var item: [String: Any] = [
                "labels": ["alertname": alert.name, "instance": alert.instance, "severity": "critical"],
                "annotations": ["summary": "\(alert.instance) is down"],
            ]
            if let startsAt { item["startsAt"] = formatter.string(from: startsAt) }
            if resolved { item["endsAt"] = formatter.string(from: Date().addingTimeInterval(-1)) }
            return item
        }
        let response = try await ServeProcess.request(HTTPRequest(
            method: .post, url: url + "/api/v2/alerts", headers: ["Content-Type: application/json"],
            body: [UInt8](try JSONSerialization.data(withJSONObject: body))))
        #expect(response.status == 200, "Alertmanager refused the alerts: \(response.status) \(response.bodyText)")
    }
}

@Suite(
    "a real Alertmanager pages through serve",
    .disabled(if: AlertmanagerProcess.skipRequested, "SMSPARTNER_SKIP_ALERTMANAGER=1"),
    .timeLimit(.minutes(3)))
struct AlertmanagerTests {
    static let oncall = "+33611111111"

    /// `serve` with Basic credentials, and the password file Alertmanager uses; on `port` when given.
    static func serve(_ fake: FakeSMSPartner, extraConfig: String = "", port: Int? = nil) async throws -> (ServeProcess, String, TemporaryDirectory) {
        try #require(FileManager.default.isExecutableFile(atPath: AlertmanagerProcess.binary),
                     "\(AlertmanagerProcess.binary) not found: apt-get install prometheus-alertmanager (CI installs it), or set SMSPARTNER_SKIP_ALERTMANAGER=1")
        let dir = try TemporaryDirectory()
        let passwordFile = try dir.write("password", "am-\(UUID().uuidString)\n")
        let config = try dir.write("config.yml", """
            serve:
              basic_auth:
                username: alertmanager
                password_file: \(passwordFile)
            receivers:
              sms-oncall: ["\(oncall)"]
            \(extraConfig)
            """)
        let serve = try await ServeProcess(arguments: ["--config", config] + (port.map { ["--listen", "127.0.0.1:\($0)"] } ?? []), env: fake.env)
        return (serve, passwordFile, dir)
    }

    @Test("firing → one SMS, resolved → one SMS, five alerts of one group → one SMS")
    func firingResolvedGrouped() async throws {
        try await withFake { fake in
            let (serve, passwordFile, dir) = try await Self.serve(fake)
            defer { dir.remove() }
            let alertmanager = try await AlertmanagerProcess(webhook: serve.baseURL + "/alertmanager", passwordFile: passwordFile)

            try await alertmanager.post([("HostDown", "db1")])
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 1 }, "\(alertmanager.log)\n\(serve.stderr)")
            #expect(fake.deliveredMessages.first?.message == "FIRING HostDown db1 critical: db1 is down")
            #expect(fake.deliveredMessages.first?.numbers == [Self.oncall])

            try await alertmanager.post([("HostDown", "db1")], resolved: true)
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 2 }, "\(serve.stderr)")
            #expect(fake.deliveredMessages.last?.message?.hasPrefix("RESOLVED HostDown db1") == true, "\(fake.deliveredMessages.last?.message ?? "")")

            try await alertmanager.post((1...5).map { ("DiskFull", "web\($0)") })
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 3 }, "\(serve.stderr)")
            let group = fake.deliveredMessages.last?.message ?? ""
            #expect(group.hasPrefix("FIRING [5]"), "\(group)")
            // Nothing more: no per-alert SMS, no repeat (group_interval passes, nothing changed).
            try await Task.sleep(for: .seconds(5))
            #expect(fake.deliveredMessages.count == 3, "\(fake.deliveredMessages.compactMap(\.message))")
            #expect(await serve.stop() == 0)
        }
    }

    @Test("SMSPartner failing for a while: Alertmanager gets 200 at once, the SMS goes out exactly once after recovery")
    func providerOutage() async throws {
        try await withFake { fake in
            fake.setDefaultReply(.http(status: 503, body: "maintenance"))
            let (serve, passwordFile, dir) = try await Self.serve(fake, extraConfig: "retry_delay: 1s\ntimeout: 2\n")
            defer { dir.remove() }
            let alertmanager = try await AlertmanagerProcess(webhook: serve.baseURL + "/alertmanager", passwordFile: passwordFile)
            try await alertmanager.post([("HostDown", "db9")])
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.requests.count >= 2 }, "retried while down: \(serve.stderr)")
            #expect(fake.deliveredMessages.isEmpty)
            fake.setDefaultReply(.accept)
            #expect(await ServeProcess.eventually(.seconds(20)) { fake.deliveredMessages.count == 1 }, "\(serve.stderr)")
            try await Task.sleep(for: .seconds(4))
            #expect(fake.deliveredMessages.count == 1, "exactly once")
            #expect(!alertmanager.log.contains("Notify for alerts failed"), "Alertmanager saw no failure: \(alertmanager.log)")
            #expect(await serve.stop() == 0)
        }
    }

    /// Clustered, the pair shares its notification log and mostly sends once; partitioned
    /// (not clustered: a split brain), both send every notification, and `serve` keeps one.
    @Test("two Alertmanagers as an HA pair, both sent the alerts: one SMS per notification", arguments: [true, false])
    func haPair(clustered: Bool) async throws {
        try await withFake { fake in
            let (serve, passwordFile, dir) = try await Self.serve(fake)
            defer { dir.remove() }
            let (p1, p2) = (try RawConnection.freePort(), try RawConnection.freePort())
            let first = try await AlertmanagerProcess(webhook: serve.baseURL + "/alertmanager", passwordFile: passwordFile,
                                                      clusterPort: clustered ? p1 : nil, peers: [p2])
            let second = try await AlertmanagerProcess(webhook: serve.baseURL + "/alertmanager", passwordFile: passwordFile,
                                                       clusterPort: clustered ? p2 : nil, peers: [p1])
            try await Task.sleep(for: .seconds(2))  // let them find each other
            // Prometheus sends each alert, with the time it became active, to both of the pair.
            // Now, not earlier: Alertmanager flushes a group at once when an alert's startsAt is
            // more than group_wait (1 s) old as it arrives, and then with that alert alone.
            let startsAt = Date()
            try await first.post([("HostDown", "ha1"), ("HostDown", "ha2")], startsAt: startsAt)
            try await second.post([("HostDown", "ha1"), ("HostDown", "ha2")], startsAt: startsAt)
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 1 }, "\(serve.stderr)")
            // Long enough for the second in line (peer timeout 2 s) and a few group intervals.
            try await Task.sleep(for: .seconds(7))
            #expect(fake.deliveredMessages.count == 1, "\(fake.deliveredMessages.compactMap(\.message))")
            try await first.post([("HostDown", "ha1"), ("HostDown", "ha2")], resolved: true, startsAt: startsAt)
            try await second.post([("HostDown", "ha1"), ("HostDown", "ha2")], resolved: true, startsAt: startsAt)
            #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 2 }, "\(serve.stderr)")
            try await Task.sleep(for: .seconds(7))
            #expect(fake.deliveredMessages.compactMap { $0.message?.prefix(8) } == ["FIRING [", "RESOLVED"],
                    "\(fake.deliveredMessages.compactMap(\.message))\nserve:\n\(serve.stderr)\nfirst:\n\(first.log)\nsecond:\n\(second.log)")
            let webhooks = serve.stderr.components(separatedBy: "/alertmanager → 200").count - 1
            let stale = serve.stderr.components(separatedBy: " stale").count - 1
            print("[ha] \(clustered ? "clustered" : "partitioned") pair: serve received \(webhooks) webhooks for 2 notifications (\(stale) stale); SMS sent: \(fake.deliveredMessages.count)")
            if !clustered { #expect(webhooks >= 4, "each of the pair sends each notification") }
            #expect(await serve.stop() == 0)
        }
    }
}
