import Foundation
import TestSupport
import Testing

/// Every input fixture of every family, through the built binary's `--dry-run` (format
/// detection included), against one expected file: a change of wording or of detection
/// shows up as a diff of `Fixtures/rendered-texts.txt`.
///
/// The Nagios, Icinga 2 and Alertmanager fixtures are the decoder tests' own
/// (`Tests/AlertModelTests/Fixtures`); the generic ones are under `Fixtures/generic`.
@Suite("rendered texts of every fixture")
struct RenderedTextsTests {
    /// The dry-run lines kept in the expected file.
    static let keptLines = [
        "format", "dedup-key", "template", "text", "encoding", "characters", "segments", "truncated",
        "transliterated", "recipients", "recipients-from", "skipped",
    ]

    /// One fixture: how it is fed to the binary.
    struct Case {
        var name: String
        var env: [String: String] = [:]
        var stdin: Data?
        var args: [String] = []
    }

    static func cases() throws -> [Case] {
        let decoders = FixtureDirectory.decoders
        var cases: [Case] = []
        for family in ["nagios", "icinga"] {
            for name in try decoders.names(in: family) where name.hasSuffix(".env") {
                cases.append(Case(name: name, env: try decoders.environment(name)))
            }
        }
        for name in try decoders.names(in: "alertmanager") {
            cases.append(Case(name: name, stdin: Data(try decoders.bytes(name)), args: ["--to", "0600000000"]))
        }
        let endToEnd = FixtureDirectory.endToEnd
        for name in try endToEnd.names(in: "generic") {
            let file = name.dropFirst("generic/".count)
            let args = file.contains("summary-only") || file.hasPrefix("plain") ? ["--to", "0600000000"] : []
            cases.append(Case(name: name, stdin: Data(try endToEnd.bytes(name)), args: args))
        }
        return cases
    }

    @Test("each fixture renders as recorded")
    func renderedTexts() async throws {
        var report = ""
        for testCase in try Self.cases() {
            var env = testCase.env
            env["SMSPARTNER_API_URL"] = "http://127.0.0.1:9/v1"
            let result = try await CLI.run(
                ["send", "--dry-run"] + testCase.args, env: env,
                input: testCase.stdin.map { .bytes($0) } ?? .none)
            report += "== \(testCase.name)\nexit: \(result.exitCode)\n"
            if result.exitCode == 0 {
                for line in result.stdoutLines {
                    guard let colon = line.firstIndex(of: ":"), Self.keptLines.contains(String(line[..<colon])) else { continue }
                    report += line + "\n"
                }
            } else {
                report += "stderr: \(result.stderr)"
            }
        }
        try FixtureDirectory.endToEnd.expectMatches(report, "rendered-texts.txt")
    }
}
