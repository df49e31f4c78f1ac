import Foundation
import NotifyCore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// A real Nagios 4 with a configuration of the test's own (everything in a temporary directory,
// the external command file at rw/nagios.cmd, status.dat written every second, no
// notifications): a host `web-01` that is UP with a service `HTTP check` whose active check
// always exits 2 (CRITICAL), and a host `db-01` whose check always exits 2 (DOWN). Once
// status.dat shows both problems, NagiosAcknowledger writes to the command file, and the test
// waits for status.dat to show them acknowledged (sticky, with the author and comment as
// given), measuring how long that took. The service's comment tries to inject a second
// command: Nagios must not run it.
//
// Needs Debian's nagios4-core (/usr/sbin/nagios4), as NagiosDaemonTests.

/// `NagiosAcknowledger` acknowledges problems of a real nagios4 through its command file.
@Suite(
    "Nagios 4 daemon: replies acknowledge problems through the external command file",
    .disabled(if: NagiosDaemon.skipRequested, "SMSPARTNER_SKIP_NAGIOS=1"),
    .timeLimit(.minutes(3)))
struct NagiosAcknowledgeTests {
    static let host = "web-01"
    static let service = "HTTP check"
    static let downHost = "db-01"
    static let author = "alice"

    @Test("a CRITICAL service and a DOWN host show as acknowledged in status.dat; the injected command is not run")
    func serviceAndHostAreAcknowledged() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: NagiosDaemon.binary),
            "\(NagiosDaemon.binary) not found: apt-get install nagios4-core (CI installs it), or set SMSPARTNER_SKIP_NAGIOS=1 to skip these tests")
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let site = try AckSite(in: scratch)
        let verification = try await NagiosDaemon.verify(config: site.mainConfig)
        try #require(verification.status == 0, "nagios4 -v rejected the configuration:\n\(verification.output)")
        // Without the LoadGate, as the other Nagios suites: the latency is measured, not held to a
        // bound, and waiting behind the exclusive load tests took this test past its time limit.
        let daemon = try NagiosDaemon.start(config: site.mainConfig, environment: site.environment, output: site.daemonOutput)
        try await daemon.whileRunning { try await Self.acknowledgeBoth(site: site, daemon: daemon) }
        // Nagios gone: the same call fails at once, saying why.
        let acknowledger = NagiosAcknowledger(settings: .init(commandFile: site.commandFile))
        let request = AckRequest(target: .nagios(host: Self.host, service: Self.service), author: Self.author, comment: "ACK")
        let start = ContinuousClock.now
        let outcome = try await OwnThread.run { acknowledger.acknowledge(request, timeout: .milliseconds(500)) }
        let elapsed = ContinuousClock.now - start
        let expected: [AckOutcome] = [
            .failed(reason: "Nagios is not running or check_external_commands=0 (nothing reads \(site.commandFile))"),
            .failed(reason: "cannot open \(site.commandFile): No such file or directory"),
        ]
        #expect(expected.contains(outcome), "\(outcome)")
        #expect(elapsed < .seconds(3), "took \(elapsed) (a 500 ms timeout)")
        print("NagiosAcknowledgeTests: with nagios4 stopped: \(outcome) after \(elapsed)")
    }

    static func acknowledgeBoth(site: AckSite, daemon: ChildDaemon) async throws {
        // Both problems, checked at start (no check spread) and forced again every 3 s.
        try await site.waitFor("the service CRITICAL and the host DOWN", daemon: daemon, within: .seconds(20), every: .seconds(3)) {
            try await NagiosDaemon.submit(to: daemon, commandFile: site.commandFile,
                                          command: "SCHEDULE_FORCED_SVC_CHECK;\(host);\(service);\(Int(Date().timeIntervalSince1970))")
            try await NagiosDaemon.submit(to: daemon, commandFile: site.commandFile,
                                          command: "SCHEDULE_FORCED_HOST_CHECK;\(downHost);\(Int(Date().timeIntervalSince1970))")
        } until: { status in
            status.service(host, service)?["current_state"] == "2" && status.host(downHost)?["current_state"] == "1"
        }

        let acknowledger = NagiosAcknowledger(settings: .init(commandFile: site.commandFile))
        // The comment tries to disable the service's checks with a command of its own.
        let epoch = Int(Date().timeIntervalSince1970)
        let injection = "ACK on it;2;1;1;x\n[\(epoch)] DISABLE_SVC_CHECK;\(host);\(service)"
        let sanitized = "ACK on it,2,1,1,x [\(epoch)] DISABLE_SVC_CHECK,\(host),\(service)"
        let serviceRequest = AckRequest(target: .nagios(host: host, service: service), author: author, comment: injection)
        let serviceLatency = try await site.acknowledge(serviceRequest, with: acknowledger, daemon: daemon) {
            $0.service(host, service)?["problem_has_been_acknowledged"] == "1"
        }
        let hostRequest = AckRequest(target: .nagios(host: downHost, service: nil), author: "+33600000000", comment: "ACK rebooting")
        let hostLatency = try await site.acknowledge(hostRequest, with: acknowledger, daemon: daemon) {
            $0.host(downHost)?["problem_has_been_acknowledged"] == "1"
        }
        print("NagiosAcknowledgeTests: acknowledge() to status.dat showing it: service \(serviceLatency), host \(hostLatency) (status_update_interval=1)")

        let status = StatusFile(path: site.statusFile)
        let serviceStatus = status.service(host, service) ?? [:]
        #expect(serviceStatus["acknowledgement_type"] == "2", "sticky: \(serviceStatus)")
        #expect(serviceStatus["active_checks_enabled"] == "1", "the injected DISABLE_SVC_CHECK was run")
        #expect(status.host(downHost)?["acknowledgement_type"] == "2")
        // The acknowledgement comments (entry_type 4), persistent, with the author and the words as sent.
        let serviceComment = status.blocks("servicecomment").first { $0["host_name"] == host && $0["entry_type"] == "4" } ?? [:]
        #expect(serviceComment["author"] == author, "\(serviceComment)")
        #expect(serviceComment["comment_data"] == sanitized, "\(serviceComment)")
        #expect(serviceComment["persistent"] == "1")
        let hostComment = status.blocks("hostcomment").first { $0["host_name"] == downHost && $0["entry_type"] == "4" } ?? [:]
        #expect(hostComment["author"] == "+33600000000" && hostComment["comment_data"] == "ACK rebooting", "\(hostComment)")
        let log = DaemonLog.text(of: site.log)
        #expect(log.contains("EXTERNAL COMMAND: ACKNOWLEDGE_SVC_PROBLEM;\(host);\(service);2;1;1;\(author);\(sanitized)"), "\(site.diagnostics(daemon))")
        #expect(!log.contains("EXTERNAL COMMAND: DISABLE_SVC_CHECK"), "\(site.diagnostics(daemon))")
    }
}

/// The test's own Nagios 4 site: no notifications, active checks that always fail.
struct AckSite {
    let directory: String
    let mainConfig: String
    let commandFile: String
    let statusFile: String
    let log: String
    let daemonOutput: String
    let environment: [String: String]

    init(in scratch: TemporaryDirectory) throws {
        let dir = try scratch.makeDirectory("nagios")
        directory = dir
        mainConfig = dir + "/nagios.cfg"
        commandFile = dir + "/rw/nagios.cmd"
        statusFile = dir + "/status.dat"
        log = dir + "/nagios.log"
        daemonOutput = dir + "/nagios.out"
        _ = try scratch.makeDirectory("nagios/rw")
        _ = try scratch.makeDirectory("nagios/checkresults")
        let critical = try scratch.write("nagios/check-critical", "#!/bin/sh\necho 'CRITICAL - always'\nexit 2\n")
        chmod(critical, 0o755)
        try scratch.write("nagios/objects.cfg", Self.objects(critical: critical))
        try scratch.write("nagios/nagios.cfg", Self.mainConfig(directory: dir))
        environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": scratch.root, "LANG": "C.UTF-8"]
    }

    /// `nagios.cfg`: every path inside `directory`, 1-second time units, status.dat every second,
    /// checks scheduled at once (no spread), notifications off.
    static func mainConfig(directory dir: String) -> String {
        """
        # nagios.cfg written by NagiosAcknowledgeTests: nothing outside this directory.
        log_file=\(dir)/nagios.log
        cfg_file=\(dir)/objects.cfg
        object_cache_file=\(dir)/objects.cache
        precached_object_file=\(dir)/objects.precache
        status_file=\(dir)/status.dat
        status_update_interval=1
        state_retention_file=\(dir)/retention.dat
        retain_state_information=0
        use_retained_program_state=0
        use_retained_scheduling_info=0
        lock_file=\(dir)/nagios.lock
        temp_file=\(dir)/nagios.tmp
        temp_path=\(dir)
        check_result_path=\(dir)/checkresults
        query_socket=\(dir)/nagios.qh
        check_external_commands=1
        command_file=\(dir)/rw/nagios.cmd
        nagios_user=\(CurrentUser.name())
        nagios_group=\(CurrentUser.group())
        use_syslog=0
        log_rotation_method=n
        log_archive_path=\(dir)
        log_external_commands=1
        log_passive_checks=1
        log_initial_states=1
        interval_length=1
        check_result_reaper_frequency=1
        max_check_result_reaper_time=5
        service_inter_check_delay_method=n
        host_inter_check_delay_method=n
        max_service_check_spread=1
        max_host_check_spread=1
        enable_notifications=0
        execute_service_checks=1
        execute_host_checks=1
        enable_flap_detection=0
        enable_event_handlers=0
        process_performance_data=0
        check_for_updates=0
        bare_update_check=0

        """
    }

    /// `web-01` (UP, `/bin/true`) with `HTTP check` (always CRITICAL), and `db-01` (always DOWN).
    static func objects(critical: String) -> String {
        """
        # objects.cfg written by NagiosAcknowledgeTests.
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
            command_name    check-ok
            command_line    /bin/true
        }

        define command {
            command_name    check-critical
            command_line    \(critical)
        }

        define contact {
            contact_name                    nobody
            alias                           Nobody
            host_notifications_enabled      0
            service_notifications_enabled   0
            host_notification_period        24x7
            service_notification_period     24x7
            host_notification_options       n
            service_notification_options    n
            host_notification_commands      check-ok
            service_notification_commands   check-ok
        }

        define host {
            host_name               \(NagiosAcknowledgeTests.host)
            alias                   Web server
            address                 127.0.0.1
            check_command           check-ok
            check_interval          60
            retry_interval          60
            check_period            24x7
            max_check_attempts      1
            contacts                nobody
            notification_period     24x7
            notification_options    n
        }

        define host {
            host_name               \(NagiosAcknowledgeTests.downHost)
            alias                   Database server
            address                 127.0.0.2
            check_command           check-critical
            check_interval          60
            retry_interval          60
            check_period            24x7
            max_check_attempts      1
            contacts                nobody
            notification_period     24x7
            notification_options    n
        }

        define service {
            host_name               \(NagiosAcknowledgeTests.host)
            service_description     \(NagiosAcknowledgeTests.service)
            check_command           check-critical
            check_interval          60
            retry_interval          60
            check_period            24x7
            max_check_attempts      1
            contacts                nobody
            notification_period     24x7
            notification_options    n
        }

        """
    }

    /// Polls status.dat (every 20 ms) until `done` says so, running `nudge` at once and then
    /// every `every`; records an issue if `within` passes or Nagios exits first.
    func waitFor(
        _ what: String, daemon: ChildDaemon, within limit: Duration, every interval: Duration,
        nudge: () async throws -> Void, until done: (StatusFile) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        var lastNudge = ContinuousClock.now - interval
        while daemon.isRunning && ContinuousClock.now < deadline {
            if ContinuousClock.now - lastNudge >= interval {
                try await nudge()
                lastNudge = ContinuousClock.now
            }
            if done(StatusFile(path: statusFile)) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(done(StatusFile(path: statusFile)), "no \(what) in status.dat within \(limit)\n\(diagnostics(daemon))")
    }

    /// Acknowledges `request` and returns how long status.dat took to show it (`done`), 10 s at most.
    func acknowledge(
        _ request: AckRequest, with acknowledger: NagiosAcknowledger, daemon: ChildDaemon, until done: (StatusFile) -> Bool
    ) async throws -> Duration {
        let start = ContinuousClock.now
        let outcome = try await OwnThread.run { acknowledger.acknowledge(request, timeout: .seconds(5)) }
        try #require(outcome == .acknowledged(detail: "acknowledged in Nagios"), "\(outcome)\n\(diagnostics(daemon))")
        try await waitFor("acknowledgement of \(request.target)", daemon: daemon, within: .seconds(10), every: .seconds(60), nudge: {}, until: done)
        return ContinuousClock.now - start
    }

    /// The end of `nagios.log` and the daemon's own output.
    func diagnostics(_ daemon: ChildDaemon) -> String {
        """
        nagios4 (pid \(daemon.pid)) \(daemon.isRunning ? "running" : "exited")
        --- tail of \(log) ---
        \(DaemonLog.tail(DaemonLog.text(of: log), lines: 30))
        --- tail of nagios4's output ---
        \(DaemonLog.tail(DaemonLog.text(of: daemonOutput), lines: 10))
        ------
        """
    }
}
