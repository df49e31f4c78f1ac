import Foundation
import TestSupport
import Testing

/// The contrib definitions of `check` for Icinga 2 and Prometheus are valid as they are (the
/// Nagios one runs under a real nagios4 in NagiosCheckTests).
@Suite("contrib: check definitions for Icinga 2 and Prometheus", .timeLimit(.minutes(2)))
struct ContribCheckTests {
    @Test("icinga2 daemon -C accepts smspartner-check.conf after the commands file: the Service applied to the node",
          .disabled(if: IcingaDaemon.skipRequested, "SMSPARTNER_SKIP_ICINGA=1"))
    func icingaValidates() async throws {
        try IcingaDaemon.requireTools()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let directories = try IcingaSite.makeDirectories(in: scratch)
        let config = try scratch.write("icinga2/check.conf", """
            /* written by ContribCheckTests: the contrib files as they are, and the node's host */
            include <itl>
            include "\(IcingaSite.contribFile("smspartner-notify-commands.conf"))"
            include "\(IcingaSite.contribFile("smspartner-check.conf"))"
            object Host NodeName {
              check_command = "dummy"
            }

            """)
        let verification = try await IcingaDaemon.validate(config: config, defines: directories, environment: IcingaSite.baseEnvironment(home: scratch.root))
        #expect(verification.status == 0, "icinga2 daemon -C rejected smspartner-check.conf (exit \(verification.status)):\n\(verification.output)")
        #expect(verification.output.contains("Instantiated 1 Service"), "the apply rule matches the node's host:\n\(verification.output)")
    }

    @Test("every flag the Icinga CheckCommand passes is one check knows")
    func icingaArgumentsAreFlags() async throws {
        let conf = try String(contentsOf: FixtureDirectory.sourceTree.url("contrib/icinga2/smspartner-check.conf"), encoding: .utf8)
        let help = try await CLI.run(["check", "--help"])
        let flags = conf.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\"--"), let end = trimmed.dropFirst().firstIndex(of: "\"") else { return nil }
            return String(trimmed[trimmed.index(after: trimmed.startIndex)..<end])
        }
        #expect(flags.count == 16, "\(flags)")
        for flag in flags {
            #expect(help.stdout.contains(flag + " <"), "check --help knows \(flag)")
        }
    }

    @Test("the Prometheus rules use only metrics serve exposes, and pass promtool where it is installed")
    func prometheusRules() async throws {
        let path = FixtureDirectory.sourceTree.url("contrib/prometheus/smspartner-notify.rules.yml").path
        let rules = try String(contentsOfFile: path, encoding: .utf8)
        let metrics = try String(contentsOf: FixtureDirectory.sourceTree.url("Sources/NotifyServer/ServerMetrics.swift"), encoding: .utf8)
        // Names as the rules write them; a histogram's series end in _bucket, _sum, _count.
        let names = Set(rules.matches(of: /smspartner_[a-z_]+/).map { String($0.output) }
            .filter { !$0.hasPrefix("smspartner-") }
            .map { $0.replacing(/_(bucket|sum|count)$/, with: "") })
        #expect(!names.isEmpty)
        for name in names {
            #expect(metrics.contains("\"\(name)\""), "\(name) is not a metric of ServerMetrics.swift")
        }
        for alert in ["SMSPartnerOutboxStuck", "SMSPartnerRefusing", "SMSPartnerUndelivered", "SMSPartnerNoReport"] {
            #expect(rules.contains("- alert: \(alert)\n"), "\(alert)")
        }
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let promtool {
            let result = try await runTool(promtool, ["check", "rules", path], output: FileManager.default.temporaryDirectory.path + "/promtool.out")
            #expect(result.status == 0, "promtool check rules:\n\(result.output)")
        }
    }
}
