import Foundation
import NotifyCore
import SMSPartner
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real Icinga 2 in a temporary directory whose REST API listens on a free loopback port,
/// for the acknowledgements made through that API.
///
/// The node is named `localhost`, so the certificate `icinga2 pki new-cert` makes for it
/// (self-signed, its own CA: `ca.crt`) has the subject alternative name `DNS:localhost` and
/// verifies against `https://localhost:<port>` with TLS checks on. The `ApiUser` may acknowledge
/// and query, nothing else; the checker runs `dummy` every second: `web-01` UP, `web-01!http`
/// CRITICAL.
struct IcingaAPISite {
    static let node = "localhost"
    static let user = "notify"
    static let host = "web-01"
    static let service = "http"

    let directory: String
    let mainConfig: String
    let log: String
    let daemonOutput: String
    let certificates: String
    let port: Int
    let password = UUID().uuidString
    let passwordFile: String
    let defines: [String]
    let environment: [String: String]

    init(in scratch: TemporaryDirectory) throws {
        defines = try IcingaSite.makeDirectories(in: scratch, node: Self.node)
        directory = scratch.path("icinga2")
        mainConfig = directory + "/icinga2.conf"
        log = directory + "/log/icinga2.log"
        daemonOutput = directory + "/icinga2.out"
        certificates = directory + "/data/certs"
        port = try RawConnection.freePort()
        environment = IcingaSite.baseEnvironment(home: try scratch.makeDirectory("home"))
        passwordFile = try scratch.write("icinga.pass", password + "\n")
        chmod(passwordFile, 0o600)
        let quoted = IcingaSite.quoted
        try scratch.write("icinga2/icinga2.conf", """
            /* icinga2.conf written by Icinga2AcknowledgerDaemonTests: the API on loopback, one host, one CRITICAL service. */
            include <itl>

            object Endpoint NodeName {}
            object Zone "master" { endpoints = [ NodeName ] }
            object FileLogger "main-log" { path = LogDir + "/icinga2.log"; severity = "notice" }
            object CheckerComponent "checker" {}
            object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = \(port) }
            object ApiUser \(quoted(Self.user)) {
              password = \(quoted(password))
              permissions = [ "actions/acknowledge-problem", "objects/query/*" ]
            }

            object Host \(quoted(Self.host)) {
              check_command = "dummy"
              vars.dummy_state = 0
              vars.dummy_text = "PING OK"
              check_interval = 1s
              retry_interval = 1s
              max_check_attempts = 1
            }
            object Service \(quoted(Self.service)) {
              host_name = \(quoted(Self.host))
              check_command = "dummy"
              vars.dummy_state = 2
              vars.dummy_text = "CRITICAL - connection refused"
              check_interval = 1s
              retry_interval = 1s
              max_check_attempts = 1
            }

            """)
    }

    /// Writes a site in a new temporary directory, makes its certificates, validates it, runs
    /// `icinga2` on it and, once its API listens and `web-01!http` is CRITICAL (not
    /// acknowledged), runs `body` with the site, the daemon and the directory.
    static func withCriticalService(_ body: (IcingaAPISite, ChildDaemon, TemporaryDirectory) async throws -> Void) async throws {
        try IcingaDaemon.requireTools()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let site = try IcingaAPISite(in: scratch)
        // A 4096-bit RSA key: most of a second of CPU, so no timing-sensitive test runs beside it.
        try await LoadGate.shared.with(exclusive: true) { try await site.makeCertificates() }
        let verification = try await IcingaDaemon.validate(config: site.mainConfig, defines: site.defines, environment: site.environment)
        try #require(verification.status == 0, "icinga2 daemon -C rejected the site (exit \(verification.status)):\n\(verification.output)")
        let daemon = try site.start()
        try await daemon.whileRunning {
            let listening = try await site.waitForAPI(daemon: daemon)
            try #require(listening, "the Icinga 2 API never listened on 127.0.0.1:\(site.port)\n\(site.diagnostics(daemon: daemon))")
            let critical = try await site.waitFor("services", serviceName, daemon: daemon, within: .seconds(20)) { $0.state == 2 }
            try #require(critical?.acknowledgement == 0, "\(serviceName) never became CRITICAL\n\(site.diagnostics(daemon: daemon))")
            try await body(site, daemon, scratch)
        }
    }

    /// `web-01!http`, as the API names the service.
    static let serviceName = "\(host)!\(service)"

    /// The CA a client trusts: the node's self-signed certificate.
    var caFile: String { certificates + "/ca.crt" }

    /// `two_way.icinga2` for this site.
    var settings: TwoWaySettings.Icinga2 {
        TwoWaySettings.Icinga2(url: "https://\(Self.node):\(port)", user: Self.user, passwordFile: passwordFile, caFile: caFile)
    }

    /// The node's key and certificate in `data/certs`, by `icinga2 pki new-cert`; the certificate
    /// is its own CA (`ca.crt`).
    func makeCertificates() async throws {
        let certificate = "\(certificates)/\(Self.node).crt"
        let arguments = ["pki", "new-cert", "--cn", Self.node, "--key", "\(certificates)/\(Self.node).key", "--cert", certificate]
        let result = try await runTool(IcingaDaemon.binary, arguments + defines, environment: environment, output: directory + "/pki.out")
        try #require(result.status == 0, "icinga2 pki new-cert failed (exit \(result.status)):\n\(result.output)")
        try FileManager.default.copyItem(atPath: certificate, toPath: caFile)
    }

    /// `icinga2 daemon` in the foreground, as a ``ChildDaemon``.
    func start() throws -> ChildDaemon {
        try ChildDaemon.spawn(IcingaDaemon.binary, arguments: ["daemon", "-c", mainConfig] + defines, environment: environment, output: daemonOutput)
    }

    /// Waits (up to 30 s) until the API accepts connections; false if it never did or Icinga exited.
    func waitForAPI(daemon: ChildDaemon) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline && daemon.isRunning {
            if RawConnection.accepts(port: port) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// An object's `state`, `acknowledgement` and `last_check` (`web-01` in `hosts`, `web-01!http`
    /// in `services`), read with `GET /v1/objects/<type>` through the project's own HTTP client;
    /// nil if not readable yet.
    func attributes(of type: String, _ name: String) async throws -> ObjectAttributes? {
        let singular = type.dropLast()  // the URL parameter naming one object: host=, service=
        let request = HTTPRequest(
            method: .get,
            url: "https://\(Self.node):\(port)/v1/objects/\(type)?\(singular)=\(name)&attrs=state&attrs=acknowledgement&attrs=last_check",
            headers: ["Accept: application/json", HTTPRequest.basicAuthorization(user: Self.user, password: password)],
            caFile: caFile)
        let response = try? await OwnThread.run { try CurlHTTPClient(userAgent: "e2e").perform(request) }
        guard let response, response.status == 200 else { return nil }
        let reply = try JSONDecoder().decode(ObjectsReply.self, from: Data(response.body))
        return reply.results.first?.attrs
    }

    /// Polls ``attributes(of:_:)`` every 20 ms until `condition` holds (its attributes), for at
    /// most `limit`; nil if it never did or Icinga exited.
    func waitFor(
        _ type: String, _ name: String, daemon: ChildDaemon, within limit: Duration, until condition: (ObjectAttributes) -> Bool
    ) async throws -> ObjectAttributes? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline && daemon.isRunning {
            if let attributes = try await attributes(of: type, name), condition(attributes) { return attributes }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Icinga's output and the tail of its log.
    func diagnostics(daemon: ChildDaemon) -> String {
        """
        icinga2 (pid \(daemon.pid)) \(daemon.isRunning ? "running" : "exited")
        --- tail of \(log) ---
        \(DaemonLog.tail(DaemonLog.text(of: log), lines: 25))
        --- tail of icinga2's output (\(daemonOutput)) ---
        \(DaemonLog.tail(DaemonLog.text(of: daemonOutput), lines: 15))
        ------
        """
    }

    /// What `GET /v1/objects/services` answers, the attributes asked for.
    struct ObjectsReply: Decodable {
        struct Object: Decodable {
            var attrs: ObjectAttributes
        }

        var results: [Object]
    }

    /// A host's state (0 UP, 1 DOWN) or a service's (0 OK … 3 UNKNOWN), its acknowledgement (0
    /// none, 1 normal, 2 sticky), and when it was last checked (not yet: 0 or less).
    struct ObjectAttributes: Decodable, Sendable {
        var state: Double
        var acknowledgement: Double
        var lastCheck: Double

        enum CodingKeys: String, CodingKey {
            case state, acknowledgement
            case lastCheck = "last_check"
        }
    }
}
