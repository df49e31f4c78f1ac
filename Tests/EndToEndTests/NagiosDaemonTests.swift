import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// The test owns everything: a temporary directory with its own nagios.cfg (log, status, command
// file, query socket, lock and check results inside it), the contrib file as it is, one host with
// one passive-only service, and a contact that uses sms-contact with pager +33600000001 and the
// built binary as its _SMSPARTNER_NOTIFY_BIN (the documented way to name another binary). It drives the service CRITICAL then OK with
// PROCESS_SERVICE_CHECK_RESULT, and the host DOWN then UP with PROCESS_HOST_CHECK_RESULT, on the
// external command file (handled at once: no check schedule to wait for). The API key file and the fake's URL reach the commands through the daemon's own
// environment, as they would in production.
//
// Needs Debian's nagios4-core (/usr/sbin/nagios4): without it the test fails, unless
// SMSPARTNER_SKIP_NAGIOS=1.

/// A real Nagios 4 daemon runs `contrib/nagios/smspartner-notify.cfg` and pages through the built
/// binary to a fake SMSPartner.
@Suite(
    "Nagios 4 daemon: the contrib commands page through a real nagios4",
    .disabled(if: NagiosDaemon.skipRequested, "SMSPARTNER_SKIP_NAGIOS=1"),
    .timeLimit(.minutes(3)))
struct NagiosDaemonTests {
    /// The monitored host and service, with characters the command lines must quote (a space).
    static let host = "web-01"
    static let service = "HTTP check"
    static let pager = "+33600000001"
    /// Plugin output with characters that would break shell quoting if Nagios passed them on:
    /// `illegal_macro_output_chars` removes them from `$SERVICEOUTPUT$`.
    static let criticalOutput = #"CRITICAL - can't connect to 127.0.0.1 port 80: "Connection refused" $HOME `id`"#
    static let okOutput = "OK - HTTP/1.1 200 OK in 0.004 s"
    static let ackAuthor = "Jane Doe"
    static let ackComment = "on it, backend pool drained"
    static let hostDownOutput = "CRITICAL - Host Unreachable (127.0.0.1): No route to host"
    static let hostUpOutput = "PING OK - Packet loss = 0%, RTA = 0.05 ms"

    @Test("CRITICAL, an acknowledgement, then OK: exactly one PROBLEM, one ACKNOWLEDGEMENT (who and why) and one RECOVERY SMS", arguments: NagiosCommandSet.allCases)
    func problemThenRecovery(commands: NagiosCommandSet) async throws {
        try await Self.withRunningSite(commands: commands) { site, fake, daemon in
            try await Self.expectPages(site: site, fake: fake, daemon: daemon, driving: [
                PageStep("PROBLEM", ["PROBLEM", Self.host, Self.service, "CRITICAL", "Connection refused"]) {
                    try await NagiosDaemon.submitServiceResult(
                        to: daemon, commandFile: site.commandFile, host: Self.host, service: Self.service, code: 2, output: Self.criticalOutput)
                },
                // Someone acknowledges it (sticky, notify): the SMS says who and why.
                PageStep("ACKNOWLEDGEMENT", ["ACKNOWLEDGEMENT", Self.host, Self.service, "by \(Self.ackAuthor)", Self.ackComment]) {
                    try await NagiosDaemon.submit(
                        to: daemon, commandFile: site.commandFile,
                        command: "ACKNOWLEDGE_SVC_PROBLEM;\(Self.host);\(Self.service);2;1;0;\(Self.ackAuthor);\(Self.ackComment)")
                },
                PageStep("RECOVERY", ["RECOVERY", Self.host, Self.service, "OK"]) {
                    try await NagiosDaemon.submitServiceResult(
                        to: daemon, commandFile: site.commandFile, host: Self.host, service: Self.service, code: 0, output: Self.okOutput)
                },
            ])
        }
    }

    @Test("the host commands page through a real Nagios 4: host DOWN then UP, exactly one PROBLEM and one RECOVERY SMS", arguments: NagiosCommandSet.allCases)
    func hostDownThenUp(commands: NagiosCommandSet) async throws {
        try await Self.withRunningSite(commands: commands) { site, fake, daemon in
            try await Self.expectPages(site: site, fake: fake, daemon: daemon, driving: [
                PageStep("PROBLEM", ["PROBLEM", Self.host, "DOWN", "No route to host"]) {
                    try await NagiosDaemon.submit(
                        to: daemon, commandFile: site.commandFile, command: "PROCESS_HOST_CHECK_RESULT;\(Self.host);1;\(Self.hostDownOutput)")
                },
                PageStep("RECOVERY", ["RECOVERY", Self.host, "UP"]) {
                    try await NagiosDaemon.submit(
                        to: daemon, commandFile: site.commandFile, command: "PROCESS_HOST_CHECK_RESULT;\(Self.host);0;\(Self.hostUpOutput)")
                },
            ])
            for message in fake.deliveredMessages {
                #expect(
                    !(message.message ?? "").contains(Self.service), "a host SMS names the service: \((message.message ?? "").debugDescription)")
            }
        }
    }

    @Test("Nagios logs a send that did not simply succeed as `wproc: NOTIFY job … exited with return code N` with its one stderr line")
    func failedSendIsLogged() async throws {
        // A file where the state directory should be: the SMS goes out without state, exit 73.
        try await Self.withRunningSite(commands: .flags, stateIsAFile: true) { site, fake, daemon in
            try await NagiosDaemon.submitServiceResult(
                to: daemon, commandFile: site.commandFile, host: Self.host, service: Self.service, code: 2, output: Self.criticalOutput)
            let deadline = ContinuousClock.now + .seconds(60)
            while !DaemonLog.text(of: site.log).contains("stderr line") && daemon.isRunning && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let lines = DaemonLog.text(of: site.log).split(separator: "\n").map(String.init)
            let jobLines = lines.filter { $0.contains("wproc: NOTIFY job") }
            #expect(
                jobLines.count == 1 && jobLines[0].contains("exited with return code 73"),
                "one `wproc: NOTIFY job … exited with return code 73` line expected\n\(site.diagnostics(fake: fake, daemon: daemon))")
            let stderrLines = lines.filter { $0.contains("wproc:") && $0.contains("stderr line") }
            #expect(
                stderrLines.count == 1 && stderrLines[0].contains("smspartner-notify:"),
                "one stderr line, the binary's, expected\n\(site.diagnostics(fake: fake, daemon: daemon))")
            #expect(fake.deliveredMessages.count == 1, "exit 73 means sent (without state)\n\(site.diagnostics(fake: fake, daemon: daemon))")
        }
    }

    /// Requires nagios4 and the built binary (at a path Nagios can run unquoted), writes a site
    /// for a new fake, verifies it, and runs `body` while nagios4 runs it. `extraConfig` (given
    /// the temporary directory), `otherPagers`, `statusUpdateInterval`: see ``NagiosSite``.
    static func withRunningSite(
        commands: NagiosCommandSet, stateIsAFile: Bool = false, extraConfig: (TemporaryDirectory) throws -> String = { _ in "" },
        otherPagers: [String] = [], statusUpdateInterval: Int = 5, _ body: (NagiosSite, FakeSMSPartner, ChildDaemon) async throws -> Void
    ) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: NagiosDaemon.binary),
            "\(NagiosDaemon.binary) not found: apt-get install nagios4-core (CI installs it), or set SMSPARTNER_SKIP_NAGIOS=1 to skip these tests")
        try #require(
            FileManager.default.isExecutableFile(atPath: CLI.binaryPath), "\(CLIError.binaryNotFound(CLI.binaryPath))")
        try #require(
            !CLI.binaryPath.contains(where: { $0.isWhitespace || "'\"\\$`".contains($0) }),
            "the binary path \(CLI.binaryPath) cannot go unquoted on a Nagios command line")

        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try await withFake { fake in
            let site = try NagiosSite(in: scratch, commands: commands, fake: fake, stateIsAFile: stateIsAFile, extraConfig: try extraConfig(scratch),
                                      otherPagers: otherPagers, statusUpdateInterval: statusUpdateInterval)
            let verification = try await NagiosDaemon.verify(config: site.mainConfig)
            try #require(
                verification.status == 0,
                "nagios4 -v \(site.mainConfig) rejected the configuration (exit \(verification.status)):\n\(verification.output)")
            let daemon = try NagiosDaemon.start(config: site.mainConfig, environment: site.environment, output: site.daemonOutput)
            try await daemon.whileRunning { try await body(site, fake, daemon) }
        }
    }

    /// ``expectPages(driving:to:fake:daemon:name:waitForDeliveries:diagnostics:sourceLocation:)`` for this site's contact.
    static func expectPages(
        site: NagiosSite, fake: FakeSMSPartner, daemon: ChildDaemon, driving steps: [PageStep], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await EndToEndTests.expectPages(
            driving: steps, to: Self.pager, fake: fake, daemon: daemon, name: "nagios4",
            waitForDeliveries: { try await Self.waitForDeliveries($0, fake: fake, daemon: daemon, site: site) },
            diagnostics: { site.diagnostics(fake: fake, daemon: daemon) }, sourceLocation: sourceLocation)
    }

    /// Polls until the fake has delivered `count` SMS and returns nil, or returns why it gave up:
    /// 60 s passed, Nagios exited, or Nagios logged a notification command that failed.
    static func waitForDeliveries(
        _ count: Int, fake: FakeSMSPartner, daemon: ChildDaemon, site: NagiosSite
    ) async throws -> String? {
        try await daemon.waitForDeliveries(count, fake: fake, name: "nagios4") {
            site.loggedFailedNotification ? "a notification command failed (see the wproc lines of nagios.log)" : nil
        }
    }
}

/// The two command pairs of `contrib/nagios/smspartner-notify.cfg`.
enum NagiosCommandSet: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// `notify-*-by-sms`: the macros as quoted flags.
    case flags
    /// `notify-*-by-sms-env`: a bare `send` that reads the `NAGIOS_*` environment macros.
    case environment

    var serviceCommand: String { self == .flags ? "notify-service-by-sms" : "notify-service-by-sms-env" }
    var hostCommand: String { self == .flags ? "notify-host-by-sms" : "notify-host-by-sms-env" }

    var testDescription: String { self == .flags ? "notify-*-by-sms" : "notify-*-by-sms-env" }
}

/// A self-contained Nagios 4 configuration in a temporary directory.
struct NagiosSite {
    let directory: String
    let mainConfig: String
    let commandFile: String
    let log: String
    let daemonOutput: String
    /// The environment Nagios starts with, and so passes on to every notification command.
    let environment: [String: String]

    /// The contact variable that names the binary in the contrib file (its macro is
    /// `$_CONTACTSMSPARTNER_NOTIFY_BIN$`); the test's contact sets it to the built one.
    static let binaryVariable = "_SMSPARTNER_NOTIFY_BIN"

    /// `contrib/nagios/smspartner-notify.cfg` in the source tree.
    static let contribFile = FixtureDirectory.sourceTree.url("contrib/nagios/smspartner-notify.cfg").path

    /// `stateIsAFile`: `SMSPARTNER_STATE_DIR` names a regular file, so every send goes out
    /// without state and exits 73. `extraConfig`: added to the commands' configuration file;
    /// `otherPagers`: a contact more (`oncall-2`…) per number, notified as `oncall` is;
    /// `statusUpdateInterval`: how often status.dat is written, in seconds.
    init(in scratch: TemporaryDirectory, commands: NagiosCommandSet, fake: FakeSMSPartner, stateIsAFile: Bool = false,
         extraConfig: String = "", otherPagers: [String] = [], statusUpdateInterval: Int = 5) throws {
        let dir = try scratch.makeDirectory("nagios")
        directory = dir
        mainConfig = dir + "/nagios.cfg"
        commandFile = dir + "/nagios.cmd"
        log = dir + "/nagios.log"
        daemonOutput = dir + "/nagios.out"
        _ = try scratch.makeDirectory("nagios/checkresults")
        let home = try scratch.makeDirectory("home")
        let state = stateIsAFile ? try scratch.write("state", "not a directory\n") : try scratch.makeDirectory("state")

        let keyFile = try scratch.write("api-key", fake.apiKey + "\n")
        chmod(keyFile, 0o600)
        let settings = try scratch.write("config.yml", "# written by NagiosDaemonTests\ntimeout: 15\n" + extraConfig)

        // The contrib file as shipped: the contact names the built binary.
        let contrib = try String(contentsOfFile: Self.contribFile, encoding: .utf8)
        for command in ["notify-service-by-sms", "notify-host-by-sms", "notify-service-by-sms-env", "notify-host-by-sms-env", "sms-contact"] {
            try #require(contrib.contains(command), "\(Self.contribFile) no longer defines \(command)")
        }
        try #require(
            contrib.contains("$_CONTACT\(Self.binaryVariable.dropFirst())$ send"),
            "\(Self.contribFile) no longer runs the binary its contacts name in \(Self.binaryVariable)")
        try scratch.write("nagios/smspartner-notify.cfg", contrib)

        try scratch.write("nagios/objects.cfg", Self.objects(commands: commands, otherPagers: otherPagers))
        try scratch.write("nagios/nagios.cfg", Self.mainConfig(directory: dir, statusUpdateInterval: statusUpdateInterval))

        environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "SMSPARTNER_API_KEY_FILE": keyFile,
            "SMSPARTNER_API_URL": fake.baseURL,
            "SMSPARTNER_NOTIFY_CONFIG": settings,
            "SMSPARTNER_STATE_DIR": state,
        ]
    }

    /// `nagios.cfg`: every path inside `directory`, 1-second time units, passive results as hard
    /// states, environment macros on, and the documented `illegal_macro_output_chars`.
    static func mainConfig(directory dir: String, statusUpdateInterval: Int = 5) -> String {
        let user = CurrentUser.name()
        let group = CurrentUser.group()
        return #"""
            # nagios.cfg written by NagiosDaemonTests: nothing outside this directory.
            log_file=\#(dir)/nagios.log
            cfg_file=\#(dir)/smspartner-notify.cfg
            cfg_file=\#(dir)/objects.cfg
            object_cache_file=\#(dir)/objects.cache
            precached_object_file=\#(dir)/objects.precache
            status_file=\#(dir)/status.dat
            status_update_interval=\#(statusUpdateInterval)
            state_retention_file=\#(dir)/retention.dat
            retain_state_information=0
            use_retained_program_state=0
            lock_file=\#(dir)/nagios.lock
            temp_file=\#(dir)/nagios.tmp
            temp_path=\#(dir)
            check_result_path=\#(dir)/checkresults
            query_socket=\#(dir)/nagios.qh
            check_external_commands=1
            command_file=\#(dir)/nagios.cmd
            nagios_user=\#(user)
            nagios_group=\#(group)
            use_syslog=0
            log_rotation_method=n
            log_archive_path=\#(dir)
            log_notifications=1
            log_passive_checks=1
            log_external_commands=1
            log_initial_states=1
            interval_length=1
            check_result_reaper_frequency=1
            max_check_result_reaper_time=5
            enable_environment_macros=1
            enable_notifications=1
            execute_service_checks=1
            execute_host_checks=1
            accept_passive_service_checks=1
            accept_passive_host_checks=1
            passive_host_checks_are_soft=0
            check_service_freshness=0
            check_host_freshness=0
            enable_flap_detection=0
            enable_event_handlers=0
            process_performance_data=0
            check_for_updates=0
            bare_update_check=0
            notification_timeout=30
            date_format=iso8601
            illegal_object_name_chars=`~!$%^&*|'"<>?,()=
            illegal_macro_output_chars=`~$&|'"<>

            """#
    }

    /// One host and one passive-only service that notify `oncall` (`use sms-contact`), and a
    /// contact more per number of `otherPagers`, at once.
    static func objects(commands: NagiosCommandSet, otherPagers: [String] = []) -> String {
        // The flags variant keeps the template's own commands; the environment one overrides them.
        let overrides = commands == .flags ? "" : """
                service_notification_commands   \(commands.serviceCommand)
                host_notification_commands      \(commands.hostCommand)

            """
        let contacts = ["oncall"] + otherPagers.indices.map { "oncall-\($0 + 2)" }
        let others = zip(contacts.dropFirst(), otherPagers).map { contact, pager in
            """
            define contact {
                contact_name    \(contact)
                alias           On call too
                use             sms-contact
                pager           \(pager)
                \(NagiosSite.binaryVariable) \(CLI.binaryPath)
            \(overrides)}

            """
        }.joined()
        return """
            # objects.cfg written by NagiosDaemonTests.
            define timeperiod {
                timeperiod_name 24x7
                alias           Always
                sunday          00:00-24:00
                monday          00:00-24:00
                tuesday         00:00-24:00
                wednesday       00:00-24:00
                thursday        00:00-24:00
                friday          00:00-24:00
                saturday        00:00-24:00
            }

            define command {
                command_name    check-passive-only
                command_line    /bin/true
            }

            define contact {
                contact_name    oncall
                alias           On call
                use             sms-contact
                pager           \(NagiosDaemonTests.pager)
                \(NagiosSite.binaryVariable) \(CLI.binaryPath)
            \(overrides)}

            \(others)define host {
                host_name               \(NagiosDaemonTests.host)
                alias                   Web server
                address                 127.0.0.1
                active_checks_enabled   0
                passive_checks_enabled  1
                check_period            24x7
                max_check_attempts      1
                contacts                \(contacts.joined(separator: ","))
                notification_period     24x7
                notification_interval   0
                notification_options    d,u,r
            }

            define service {
                host_name                   \(NagiosDaemonTests.host)
                service_description         \(NagiosDaemonTests.service)
                check_command               check-passive-only
                active_checks_enabled       0
                passive_checks_enabled      1
                check_freshness             0
                check_period                24x7
                max_check_attempts          1
                check_interval              1
                retry_interval              1
                contacts                    \(contacts.joined(separator: ","))
                notification_period         24x7
                notification_interval       0
                first_notification_delay    0
                notification_options        w,u,c,r
            }

            """
    }

    /// Whether Nagios logged a notification command that exited non-zero (its worker reports
    /// `wproc: NOTIFY job … exited with return code N`, followed by the command's stderr).
    var loggedFailedNotification: Bool {
        DaemonLog.text(of: log).contains("NOTIFY job")
    }

    /// The end of `nagios.log`, the daemon's own output, and what the fake received.
    func diagnostics(fake: FakeSMSPartner, daemon: ChildDaemon) -> String {
        """
        nagios4 (pid \(daemon.pid)) \(daemon.isRunning ? "running" : "exited"); \(DaemonLog.requests(of: fake))
        --- tail of \(log) ---
        \(DaemonLog.tail(DaemonLog.text(of: log), lines: 40))
        --- tail of nagios4's output (\(daemonOutput)) ---
        \(DaemonLog.tail(DaemonLog.text(of: daemonOutput), lines: 15))
        ------
        """
    }
}

/// Why a step of driving Nagios failed.
enum NagiosDaemonError: Error, CustomStringConvertible {
    case commandFileUnavailable(String, errno: Int32)
    case shortWrite(String)

    var description: String {
        switch self {
        case .commandFileUnavailable(let path, let code):
            "nagios4 never opened its command file \(path) for reading: \(String(cString: strerror(code)))"
        case .shortWrite(let path):
            "could not write a whole external command to \(path)"
        }
    }
}

/// `/usr/sbin/nagios4`, run in the foreground as a ``ChildDaemon``. On SIGTERM Nagios stops its
/// own helpers (check workers, command file worker).
enum NagiosDaemon {
    /// Debian's `nagios4-core` binary.
    static let binary = "/usr/sbin/nagios4"

    /// `SMSPARTNER_SKIP_NAGIOS=1`: skip the suite (a machine without nagios4-core).
    static let skipRequested = ProcessInfo.processInfo.environment["SMSPARTNER_SKIP_NAGIOS"] == "1"

    /// `nagios4 -v config`: the exit status and everything it printed.
    static func verify(config: String) async throws -> (status: Int32, output: String) {
        try await runTool(binary, ["-v", config], output: config + ".verify")
    }

    /// Starts `nagios4 config` (not `-d`: the child is the daemon itself, so its PID is known)
    /// with exactly `environment`, standard input from `/dev/null`, output to the file `output`.
    static func start(config: String, environment: [String: String], output: String) throws -> ChildDaemon {
        try ChildDaemon.spawn(binary, arguments: [config], environment: environment, output: output)
    }

    /// Writes `[now] PROCESS_SERVICE_CHECK_RESULT;host;service;code;output` to the command file,
    /// waiting (up to 10 s) for Nagios to have it open: the FIFO cannot be opened for writing
    /// without a reader, and opening it without blocking fails until there is one.
    static func submitServiceResult(
        to daemon: ChildDaemon, commandFile: String, host: String, service: String, code: Int, output: String
    ) async throws {
        try await submit(to: daemon, commandFile: commandFile, command: "PROCESS_SERVICE_CHECK_RESULT;\(host);\(service);\(code);\(output)")
    }

    /// Writes `[now] COMMAND` to the command file (see ``submitServiceResult(to:commandFile:host:service:code:output:)``).
    static func submit(to daemon: ChildDaemon, commandFile: String, command: String) async throws {
        let line = "[\(Int(Date().timeIntervalSince1970))] \(command)\n"
        let deadline = ContinuousClock.now + .seconds(10)
        var descriptor: Int32 = -1
        var lastError: Int32 = 0
        while true {
            descriptor = open(commandFile, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 { break }
            lastError = errno
            guard (lastError == ENOENT || lastError == ENXIO) && daemon.isRunning && ContinuousClock.now < deadline else {
                throw NagiosDaemonError.commandFileUnavailable(commandFile, errno: lastError)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { close(descriptor) }
        // Shorter than PIPE_BUF: written at once, in one piece.
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw NagiosDaemonError.shortWrite(commandFile) }
    }
}
