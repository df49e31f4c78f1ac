import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// The contrib examples of `run` (the crontab, the systemd service) hold command lines `run`
/// takes as they are: each is run with `--dry-run`, its command replaced by `true`.
@Suite("contrib: run in cron and systemd")
struct ContribRunTests {
    static func contrib(_ path: String) throws -> String {
        try String(contentsOf: FixtureDirectory.sourceTree.url("contrib/" + path), encoding: .utf8)
    }

    /// `run`'s arguments of a command line, with `--dry-run` and the command after `--` as `true`.
    static func dryRun(_ words: [String]) throws -> [String] {
        let run = try #require(words.firstIndex(of: "run"))
        let separator = try #require(words.firstIndex(of: "--"))
        return Array(words[run..<separator]) + ["--dry-run", "--", "true"]
    }

    @Test("every run line of contrib/cron/smspartner-notify-run is valid")
    func crontab() async throws {
        let lines = try Self.contrib("cron/smspartner-notify-run").split(separator: "\n")
            .filter { !$0.hasPrefix("#") && $0.contains("smspartner-notify run ") }
        #expect(lines.count == 3)
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            for line in lines {
                let words = line.replacingOccurrences(of: "\\%", with: "%").split(whereSeparator: \.isWhitespace).map(String.init)
                let result = try await CLI.run(try Self.dryRun(words), env: state.env(fake))
                #expect(result.exitCode == 0, "\(line): \(result.summary)")
                #expect(result.stderr.contains("dry-run: "), "\(result.summary)")
            }
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("the ExecStart of smspartner-notify-check@.service, with its example environment, is valid")
    func systemd() async throws {
        let unit = try Self.contrib("systemd/smspartner-notify-check@.service")
        var environment: [String: String] = [:]
        for line in unit.split(separator: "\n") where line.hasPrefix("#   CHECK_") {
            let pair = line.dropFirst(4)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        #expect(environment.keys.sorted() == ["CHECK_COMMAND", "CHECK_OPTIONS", "CHECK_TO"])
        let exec = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        // systemd: %i the instance, ${X} one word, $X split into words.
        var words: [String] = []
        for word in exec.dropFirst("ExecStart=".count).split(separator: " ").map(String.init) {
            if word.hasPrefix("${") {
                words.append(environment[String(word.dropFirst(2).dropLast())] ?? "")
            } else if word.hasPrefix("$") {
                words += (environment[String(word.dropFirst())] ?? "").split(separator: " ").map(String.init)
            } else {
                words.append(word.replacingOccurrences(of: "%i", with: "disk-root"))
            }
        }
        #expect(words.contains("--nagios") && words.contains("+33600000000"), "\(words)")
        let state = try StateTests.SharedState()
        defer { state.remove() }
        try await withFake { fake in
            let result = try await CLI.run(try Self.dryRun(words), env: state.env(fake))
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(result.stderr.contains("dry-run: disk-root OK"), "\(result.summary)")
        }
    }
}
