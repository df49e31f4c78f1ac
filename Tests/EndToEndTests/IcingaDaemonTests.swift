import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// The test owns everything: a temporary directory with its own icinga2.conf and its own data,
// log, cache, spool, run and zones directories (`-D` constants), a certificate made there by
// `icinga2 pki` for the REST API on a free loopback port, and the daemon runs as the test's own
// user (ICINGA2_USER/ICINGA2_GROUP). icinga2.conf includes contrib/icinga2/smspartner-notify-
// commands.conf as it is, after defining its two path constants (the built binary, the test's
// key file) the way constants.conf would, plus a users file of the site's own: a User "oncall"
// (the name the old contrib file also defined, a "re-defined" error then) with its own apply
// rules. The service is passive: its results, and the acknowledgement, go through the API. The
// fake's URL and the state directory reach the commands through the daemon's own environment.
//
// Needs Debian's icinga2 (/usr/sbin/icinga2) and curl: without them the tests fail, unless
// SMSPARTNER_SKIP_ICINGA=1.

/// A real Icinga 2 daemon runs `contrib/icinga2/smspartner-notify-commands.conf` and pages through
/// the built binary to a fake SMSPartner.
@Suite(
    "Icinga 2 daemon: the contrib commands page through a real icinga2",
    .disabled(if: IcingaDaemon.skipRequested, "SMSPARTNER_SKIP_ICINGA=1"),
    .timeLimit(.minutes(3)))
struct IcingaDaemonTests {
    static let host = "web-01"
    static let service = "http"
    static let pager = "+33600000002"
    /// Output with characters a shell would expand: Icinga passes it in the environment, as is.
    static let criticalOutput = #"CRITICAL - can't connect to 127.0.0.1 port 80: "Connection refused" $HOME `id`"#
    static let okOutput = "OK - HTTP/1.1 200 OK in 0.004 s"
    static let hostDownOutput = "CRITICAL - Host Unreachable (127.0.0.1): No route to host"
    static let hostUpOutput = "PING OK - Packet loss = 0%, RTA = 0.05 ms"
    static let author = "jdoe"
    static let comment = "looking into it, back in 15 min"

    @Test("icinga2 daemon -C accepts the commands file with the example users and rules")
    func exampleValidates() async throws {
        try IcingaDaemon.requireTools()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let directories = try IcingaSite.makeDirectories(in: scratch)
        let config = try scratch.write("icinga2/example.conf", """
            /* written by IcingaDaemonTests: the two contrib files as they are, nothing else */
            include <itl>
            include "\(IcingaSite.contribFile("smspartner-notify-commands.conf"))"
            include "\(IcingaSite.contribFile("smspartner-notify-example.conf"))"

            """)
        let verification = try await IcingaDaemon.validate(config: config, defines: directories, environment: IcingaSite.baseEnvironment(home: scratch.root))
        #expect(verification.status == 0, "icinga2 daemon -C rejected the example (exit \(verification.status)):\n\(verification.output)")
        #expect(verification.output.contains("Instantiated 2 NotificationCommands"), "\(verification.output)")
        #expect(verification.output.contains("Instantiated 1 User"), "\(verification.output)")
    }

    @Test("CRITICAL, an acknowledgement through the API, OK: one PROBLEM, one ACKNOWLEDGEMENT (author, comment), one RECOVERY")
    func problemAcknowledgementRecovery() async throws {
        try await Self.withRunningSite { site, fake, daemon in
            try await Self.expectPages(site: site, fake: fake, daemon: daemon, driving: [
                PageStep("PROBLEM", ["PROBLEM", Self.host, Self.service, "CRITICAL", "Connection refused"]) {
                    try await site.post("process-check-result", [
                        "type": "Service", "service": "\(Self.host)!\(Self.service)", "exit_status": 2, "plugin_output": Self.criticalOutput,
                    ])
                },
                // `notify`: the API sends no acknowledgement notification without it.
                PageStep("ACKNOWLEDGEMENT", ["ACKNOWLEDGEMENT", Self.host, Self.service, Self.author, Self.comment]) {
                    try await site.post("acknowledge-problem", [
                        "type": "Service", "service": "\(Self.host)!\(Self.service)", "author": Self.author, "comment": Self.comment,
                        "notify": true,
                    ])
                },
                PageStep("RECOVERY", ["RECOVERY", Self.host, Self.service, "OK"]) {
                    try await site.post("process-check-result", [
                        "type": "Service", "service": "\(Self.host)!\(Self.service)", "exit_status": 0, "plugin_output": Self.okOutput,
                    ])
                },
            ])
        }
    }

    @Test("the host command sms-host-notification pages through a real Icinga 2: host DOWN then UP through the API, one PROBLEM, one RECOVERY")
    func hostDownThenUp() async throws {
        try await Self.withRunningSite { site, fake, daemon in
            try await Self.expectPages(site: site, fake: fake, daemon: daemon, driving: [
                PageStep("PROBLEM", ["PROBLEM", Self.host, "DOWN", "No route to host"]) {
                    try await site.post("process-check-result", ["type": "Host", "host": Self.host, "exit_status": 1, "plugin_output": Self.hostDownOutput])
                },
                PageStep("RECOVERY", ["RECOVERY", Self.host, "UP"]) {
                    try await site.post("process-check-result", ["type": "Host", "host": Self.host, "exit_status": 0, "plugin_output": Self.hostUpOutput])
                },
            ])
            // Icinga logs each command's exit code at notice level (its log is written in the background).
            let exits = { DaemonLog.text(of: site.log).split(separator: "\n").filter { $0.contains("terminated with exit code") } }
            let deadline = ContinuousClock.now + .seconds(30)
            while exits().count < 2 && daemon.isRunning && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let processes = exits()
            #expect(
                processes.count == 2 && processes.allSatisfy { $0.contains("notice/Process: ") && $0.hasSuffix("terminated with exit code 0") },
                "two `notice/Process: … terminated with exit code 0` lines expected\n\(site.diagnostics(fake: fake, daemon: daemon))")
        }
    }

    /// Requires icinga2, curl and the built binary, writes a site for a new fake with its
    /// certificate, validates it, starts icinga2, waits for its API, and runs `body` meanwhile.
    static func withRunningSite(_ body: (IcingaSite, FakeSMSPartner, ChildDaemon) async throws -> Void) async throws {
        try IcingaDaemon.requireTools()
        try #require(
            FileManager.default.isExecutableFile(atPath: CLI.binaryPath), "\(CLIError.binaryNotFound(CLI.binaryPath))")

        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try await withFake { fake in
            let site = try IcingaSite(in: scratch, fake: fake)
            // A 4096-bit RSA key: most of a second of CPU, so no timing-sensitive test runs beside it.
            try await LoadGate.shared.with(exclusive: true) { try await site.makeCertificates() }
            let verification = try await IcingaDaemon.validate(config: site.mainConfig, defines: site.defines, environment: site.environment)
            try #require(
                verification.status == 0,
                "icinga2 daemon -C rejected the commands file with the site's own users (exit \(verification.status)):\n\(verification.output)")

            let daemon = try IcingaDaemon.start(site: site)
            try await daemon.whileRunning {
                let listening = try await site.waitForAPI(daemon: daemon)
                try #require(listening, "the Icinga 2 API never listened on 127.0.0.1:\(site.port)\n\(site.diagnostics(fake: fake, daemon: daemon))")
                try await body(site, fake, daemon)
            }
        }
    }

    /// ``expectPages(driving:to:fake:daemon:name:waitForDeliveries:diagnostics:sourceLocation:)`` for this site's user.
    static func expectPages(
        site: IcingaSite, fake: FakeSMSPartner, daemon: ChildDaemon, driving steps: [PageStep], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await EndToEndTests.expectPages(
            driving: steps, to: Self.pager, fake: fake, daemon: daemon, name: "icinga2",
            waitForDeliveries: { try await site.waitForDeliveries($0, fake: fake, daemon: daemon) },
            diagnostics: { site.diagnostics(fake: fake, daemon: daemon) }, sourceLocation: sourceLocation)
    }
}

/// A self-contained Icinga 2 configuration in a temporary directory.
struct IcingaSite {
    /// The API identity: the certificate's name, and the name curl asks for.
    static let nodeName = "smspartner-e2e"
    static let apiUser = "e2e"

    let directory: String
    let mainConfig: String
    let log: String
    let daemonOutput: String
    let certificates: String
    let port: Int
    let apiPassword = UUID().uuidString
    /// `-D` constants: every directory Icinga writes, inside `directory`.
    let defines: [String]
    /// The environment the daemon starts with, and so passes on to every notification command.
    let environment: [String: String]

    /// A file of `contrib/icinga2/` in the source tree.
    static func contribFile(_ name: String) -> String {
        FixtureDirectory.sourceTree.url("contrib/icinga2/\(name)").path
    }

    /// Creates Icinga's directories in `scratch/icinga2`; the `-D` constants that name them
    /// (`NodeName` too: `node`, by default ``nodeName``).
    static func makeDirectories(in scratch: TemporaryDirectory, node: String = nodeName) throws -> [String] {
        let names = [
            ("DataDir", "data"), ("LogDir", "log"), ("CacheDir", "cache"), ("SpoolDir", "spool"), ("InitRunDir", "run"),
            ("ZonesDir", "zones.d"),
        ]
        var defines = ["NodeName=\(node)"]
        for (constant, name) in names {
            defines.append("\(constant)=\(try scratch.makeDirectory("icinga2/\(name)"))")
        }
        _ = try scratch.makeDirectory("icinga2/data/certs")
        return defines.map { "-D\($0)" }
    }

    /// PATH, HOME, and the daemon's user and group: this process's own.
    static func baseEnvironment(home: String) -> [String: String] {
        [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home, "LANG": "C.UTF-8",
            "ICINGA2_USER": CurrentUser.name(), "ICINGA2_GROUP": CurrentUser.group(),
        ]
    }

    init(in scratch: TemporaryDirectory, fake: FakeSMSPartner) throws {
        defines = try Self.makeDirectories(in: scratch)
        directory = scratch.path("icinga2")
        mainConfig = directory + "/icinga2.conf"
        log = directory + "/log/icinga2.log"
        daemonOutput = directory + "/icinga2.out"
        certificates = directory + "/data/certs"
        port = try RawConnection.freePort()
        let home = try scratch.makeDirectory("home")
        let state = try scratch.makeDirectory("state")

        let keyFile = try scratch.write("api-key", fake.apiKey + "\n")
        chmod(keyFile, 0o600)
        let settings = try scratch.write("config.yml", "# written by IcingaDaemonTests\ntimeout: 15\n")

        let commands = Self.contribFile("smspartner-notify-commands.conf")
        let contrib = try String(contentsOfFile: commands, encoding: .utf8)
        for name in ["sms-host-notification", "sms-service-notification", "SmsPartnerNotifyBin", "SmsPartnerNotifyKeyFile"] {
            try #require(contrib.contains(name), "\(commands) no longer defines \(name)")
        }
        try #require(!contrib.contains("object User"), "\(commands) defines a User: it must hold commands only")

        try scratch.write("icinga2/users.conf", Self.users)
        try scratch.write("icinga2/icinga2.conf", """
            /* icinga2.conf written by IcingaDaemonTests: nothing outside this directory but the contrib file. */

            /* The two paths, set the documented way: before the commands file (as constants.conf is). */
            const SmsPartnerNotifyBin = \(Self.quoted(CLI.binaryPath))
            const SmsPartnerNotifyKeyFile = \(Self.quoted(keyFile))

            include <itl>
            include \(Self.quoted(commands))
            include "users.conf"

            object Endpoint NodeName {}
            object Zone "master" { endpoints = [ NodeName ] }
            object FileLogger "main-log" { path = LogDir + "/icinga2.log"; severity = "notice" }
            object NotificationComponent "notification" {}
            object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = \(port) }
            object ApiUser \(Self.quoted(Self.apiUser)) {
              password = \(Self.quoted(apiPassword))
              permissions = [ "actions/process-check-result", "actions/acknowledge-problem" ]
            }

            object Host \(Self.quoted(IcingaDaemonTests.host)) {
              check_command = "dummy"
              enable_active_checks = false
              max_check_attempts = 1
              address = "127.0.0.1"
              vars.notification.sms = true
            }
            object Service \(Self.quoted(IcingaDaemonTests.service)) {
              host_name = \(Self.quoted(IcingaDaemonTests.host))
              check_command = "dummy"
              enable_active_checks = false
              max_check_attempts = 1
            }

            """)

        var environment = Self.baseEnvironment(home: home)
        environment["SMSPARTNER_API_URL"] = fake.baseURL
        environment["SMSPARTNER_NOTIFY_CONFIG"] = settings
        environment["SMSPARTNER_STATE_DIR"] = state
        self.environment = environment
    }

    /// The site's own users and rules, as a user writes them next to the contrib commands.
    static let users = """
        /* users.conf written by IcingaDaemonTests: the site's own user and rules. */
        object User "oncall" {
          display_name = "The site's own on-call user"
          pager = "\(IcingaDaemonTests.pager)"
          states = [ Up, Down, OK, Warning, Critical, Unknown ]
          types = [ Problem, Recovery, Acknowledgement, Custom ]
        }

        apply Notification "page-service" to Service {
          command = "sms-service-notification"
          users = [ "oncall" ]
          states = [ OK, Warning, Critical, Unknown ]
          types = [ Problem, Recovery, Acknowledgement, Custom ]
          interval = 0
          assign where host.vars.notification.sms == true
        }

        apply Notification "page-host" to Host {
          command = "sms-host-notification"
          users = [ "oncall" ]
          states = [ Up, Down ]
          types = [ Problem, Recovery, Acknowledgement, Custom ]
          interval = 0
          assign where host.vars.notification.sms == true
        }

        """

    /// An Icinga 2 string literal.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The node's certificate in `data/certs`, by `icinga2 pki new-cert`: self-signed, so it is
    /// its own CA (`ca.crt`) too; one 4096-bit key instead of a CA's and the node's.
    func makeCertificates() async throws {
        let certificate = "\(certificates)/\(Self.nodeName).crt"
        let arguments = ["pki", "new-cert", "--cn", Self.nodeName, "--key", "\(certificates)/\(Self.nodeName).key", "--cert", certificate]
        let result = try await runTool(IcingaDaemon.binary, arguments + defines, environment: environment, output: directory + "/pki.out")
        try #require(result.status == 0, "icinga2 pki new-cert failed (exit \(result.status)):\n\(result.output)")
        try FileManager.default.copyItem(atPath: certificate, toPath: certificates + "/ca.crt")
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

    /// `POST /v1/actions/<action>` with `body` as JSON, through curl, the TLS certificate checked
    /// against the site's CA; requires HTTP 200.
    func post(_ action: String, _ body: [String: any Sendable]) async throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let url = "https://\(Self.nodeName):\(port)/v1/actions/\(action)"
        let result = try await runTool(IcingaDaemon.curl, [
            "--silent", "--show-error", "--max-time", "20", "--cacert", certificates + "/ca.crt",
            "--resolve", "\(Self.nodeName):\(port):127.0.0.1", "--user", "\(Self.apiUser):\(apiPassword)",
            "--header", "Accept: application/json", "--request", "POST", "--data", json,
            "--write-out", "\nHTTP %{http_code}", url,
        ], output: directory + "/curl.out", timeout: .seconds(30))
        try #require(
            result.status == 0 && result.output.hasSuffix("\nHTTP 200"),
            "POST \(url) \(json) failed (curl exit \(result.status)):\n\(result.output)")
    }

    /// Polls until the fake has delivered `count` SMS (nil), or why it gave up: 60 s passed,
    /// Icinga exited, or it logged a notification command that exited non-zero.
    func waitForDeliveries(_ count: Int, fake: FakeSMSPartner, daemon: ChildDaemon) async throws -> String? {
        try await daemon.waitForDeliveries(count, fake: fake, name: "icinga2") {
            let failed = DaemonLog.text(of: log).split(separator: "\n").first {
                $0.contains("terminated with exit code") && !$0.hasSuffix("terminated with exit code 0")
            }
            return failed.map { "a notification command failed: \($0)" }
        }
    }

    /// What Icinga logged about notifications and processes, its own output, and what the fake received.
    func diagnostics(fake: FakeSMSPartner, daemon: ChildDaemon) -> String {
        let relevant = DaemonLog.text(of: log).split(separator: "\n").filter {
            $0.contains("Notification") || $0.contains("/Process:") || $0.contains("critical/") || $0.contains("warning/")
                || $0.contains("HttpServerConnection")
        }
        return """
            icinga2 (pid \(daemon.pid)) \(daemon.isRunning ? "running" : "exited"); \(DaemonLog.requests(of: fake))
            --- notifications and processes in \(log) ---
            \(relevant.suffix(40).joined(separator: "\n"))
            --- tail of icinga2's output (\(daemonOutput)) ---
            \(DaemonLog.tail(DaemonLog.text(of: daemonOutput), lines: 15))
            ------
            """
    }
}

/// `/usr/sbin/icinga2`, run in the foreground (`icinga2 daemon`, no `-d`) as a ``ChildDaemon``:
/// Debian's wrapper script and the binary's own re-exec keep the PID. On SIGTERM it stops the
/// processes it started.
enum IcingaDaemon {
    /// Debian's `icinga2` (`icinga2-bin`).
    static let binary = "/usr/sbin/icinga2"
    static let curl = "/usr/bin/curl"

    /// `SMSPARTNER_SKIP_ICINGA=1`: skip the suite (a machine without icinga2).
    static let skipRequested = ProcessInfo.processInfo.environment["SMSPARTNER_SKIP_ICINGA"] == "1"

    static func requireTools() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: binary),
            "\(binary) not found: apt-get install icinga2 (CI installs it), or set SMSPARTNER_SKIP_ICINGA=1 to skip these tests")
        try #require(
            FileManager.default.isExecutableFile(atPath: curl),
            "\(curl) not found: apt-get install curl (CI installs it), or set SMSPARTNER_SKIP_ICINGA=1 to skip these tests")
    }

    /// `icinga2 daemon -C -c config defines`: the exit status and everything it printed.
    static func validate(config: String, defines: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        try await runTool(binary, ["daemon", "-C", "-c", config] + defines, environment: environment, output: config + ".validate")
    }

    static func start(site: IcingaSite) throws -> ChildDaemon {
        try ChildDaemon.spawn(
            binary, arguments: ["daemon", "-c", site.mainConfig] + site.defines, environment: site.environment, output: site.daemonOutput)
    }
}
