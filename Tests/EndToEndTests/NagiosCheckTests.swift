import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// A real Nagios 4 runs `contrib/nagios/smspartner-check.cfg` as it is (the binary's path
// replaced by the built one) as an active service check on the host `localhost`, which the
// test defines as Debian's configuration does. The test forces a check through the external
// command file (SCHEDULE_FORCED_SVC_CHECK) and reads the result back from status.dat: once OK,
// once CRITICAL after the fake's credits fell below the limit. The key file, the fake's URL and
// the state directory reach the plugin through the daemon's environment.
//
// Needs Debian's nagios4-core (/usr/sbin/nagios4), as NagiosDaemonTests.

/// `contrib/nagios/smspartner-check.cfg` checks the notifier under a real nagios4.
@Suite(
    "Nagios 4 daemon: the contrib check runs as an active service check",
    .disabled(if: NagiosDaemon.skipRequested, "SMSPARTNER_SKIP_NAGIOS=1"),
    .timeLimit(.minutes(2)))
struct NagiosCheckTests {
    static let host = "localhost"
    static let service = "SMSPartner notifier"
    static let contribFile = FixtureDirectory.sourceTree.url("contrib/nagios/smspartner-check.cfg").path

    @Test("a forced check reads back OK, then CRITICAL once the credits fell to the limit, with its perfdata")
    func okThenCritical() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: NagiosDaemon.binary),
            "\(NagiosDaemon.binary) not found: apt-get install nagios4-core (CI installs it), or set SMSPARTNER_SKIP_NAGIOS=1 to skip these tests")
        try #require(FileManager.default.isExecutableFile(atPath: CLI.binaryPath), "\(CLIError.binaryNotFound(CLI.binaryPath))")
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try await withFake { fake in
            let site = try Self.site(in: scratch, fake: fake)
            let verification = try await NagiosDaemon.verify(config: site.mainConfig)
            try #require(verification.status == 0, "nagios4 -v rejected the configuration:\n\(verification.output)")
            let daemon = try NagiosDaemon.start(config: site.mainConfig, environment: site.environment, output: site.daemonOutput)
            try await daemon.whileRunning {
                let ok = try await Self.forcedCheck(site: site, daemon: daemon, fake: fake, after: 0)
                #expect(ok.state == "0", "current_state \(ok.state): \(ok.output)\n\(site.diagnostics(fake: fake, daemon: daemon))")
                #expect(ok.output.hasPrefix("SMSPARTNER OK - credits 1000, outbox empty,"), "\(ok.output)")
                #expect(ok.perfData.hasPrefix("credits=1000;200;50;0; "), "performance_data \(ok.perfData)")

                fake.setCredits(50)
                let critical = try await Self.forcedCheck(site: site, daemon: daemon, fake: fake, after: ok.lastCheck)
                #expect(critical.state == "2", "current_state \(critical.state): \(critical.output)\n\(site.diagnostics(fake: fake, daemon: daemon))")
                #expect(critical.output.hasPrefix("SMSPARTNER CRITICAL - credits 50 <= 50, outbox empty,"), "\(critical.output)")
                #expect(critical.perfData.hasPrefix("credits=50;200;50;0; "), "performance_data \(critical.perfData)")
            }
        }
    }

    /// What status.dat says of the service.
    struct ServiceStatus {
        var state: String
        var output: String
        var perfData: String
        var lastCheck: Int
    }

    /// Forces a check now and waits (30 s at most) for status.dat to show a check later than `after`.
    static func forcedCheck(site: NagiosSite, daemon: ChildDaemon, fake: FakeSMSPartner, after: Int) async throws -> ServiceStatus {
        let deadline = ContinuousClock.now + .seconds(30)
        var lastForced = ContinuousClock.now - .seconds(10)
        while daemon.isRunning && ContinuousClock.now < deadline {
            if ContinuousClock.now - lastForced >= .seconds(5) {
                // Again every 5 s: a check forced in the second of the previous one may be folded into it.
                try await NagiosDaemon.submit(to: daemon, commandFile: site.commandFile,
                                              command: "SCHEDULE_FORCED_SVC_CHECK;\(host);\(service);\(Int(Date().timeIntervalSince1970))")
                lastForced = ContinuousClock.now
            }
            if let status = serviceStatus(site.directory + "/status.dat"), status.lastCheck > after { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no check result in status.dat within 30 s\n\(site.diagnostics(fake: fake, daemon: daemon))")
        return ServiceStatus(state: "", output: "", perfData: "", lastCheck: 0)
    }

    /// The `servicestatus` block of the service in status.dat, once it has been checked.
    static func serviceStatus(_ path: String) -> ServiceStatus? {
        guard let fields = StatusFile(path: path).service(host, service),
              let lastCheck = fields["last_check"].flatMap(Int.init), lastCheck > 0, fields["has_been_checked"] == "1"
        else { return nil }
        return ServiceStatus(state: fields["current_state"] ?? "", output: fields["plugin_output"] ?? "",
                             perfData: fields["performance_data"] ?? "", lastCheck: lastCheck)
    }

    /// NagiosSite's configuration with the check file added, status.dat written every second,
    /// and the host `localhost`.
    static func site(in scratch: TemporaryDirectory, fake: FakeSMSPartner) throws -> NagiosSite {
        let site = try NagiosSite(in: scratch, commands: .flags, fake: fake)
        let contrib = try String(contentsOfFile: contribFile, encoding: .utf8)
        let shipped = "/usr/bin/smspartner-notify"
        try #require(contrib.contains("_SMSPARTNER_NOTIFY_BIN      \(shipped)"), "\(contribFile) no longer names \(shipped)")
        try #require(contrib.contains("host_name                   \(host)"), "\(contribFile) no longer checks on \(host)")
        try scratch.write("nagios/smspartner-check.cfg", contrib.replacingOccurrences(of: shipped, with: CLI.binaryPath))
        let main = try String(contentsOfFile: site.mainConfig, encoding: .utf8)
            .replacingOccurrences(of: "status_update_interval=5", with: "status_update_interval=1")
            + "cfg_file=\(site.directory)/smspartner-check.cfg\n"
        try scratch.write("nagios/nagios.cfg", main)
        let objects = try String(contentsOfFile: site.directory + "/objects.cfg", encoding: .utf8) + """
            define host {
                host_name               \(host)
                alias                   The notifier's own host
                address                 127.0.0.1
                active_checks_enabled   0
                passive_checks_enabled  1
                check_period            24x7
                max_check_attempts      1
                contacts                oncall
                notification_period     24x7
                notification_options    n
            }

            """
        try scratch.write("nagios/objects.cfg", objects)
        return site
    }
}
