import Foundation
import Testing

/// Every input fixture of every family, through the built binary's `--dry-run` (format
/// detection included), against one expected file: a change of wording or of detection
/// shows up as a diff of `Fixtures/rendered-texts.txt`.
///
/// The Nagios, Icinga 2 and Alertmanager fixtures are the decoder tests' own
/// (`Tests/AlertModelTests/Fixtures`); the generic ones are under `Fixtures/generic`.
@Suite("rendered texts of every fixture")
struct RenderedTextsTests {
    static let decoderFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AlertModelTests/Fixtures")

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
        var cases: [Case] = []
        let files = FileManager.default
        for family in ["nagios", "icinga"] {
            let folder = decoderFixtures.appendingPathComponent(family)
            for file in try files.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".env") {
                let env = try environment(String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
                cases.append(Case(name: "\(family)/\(file)", env: env))
            }
        }
        let alertmanager = decoderFixtures.appendingPathComponent("alertmanager")
        for file in try files.contentsOfDirectory(atPath: alertmanager.path).sorted() {
            let data = try Data(contentsOf: alertmanager.appendingPathComponent(file))
            cases.append(Case(name: "alertmanager/\(file)", stdin: data, args: ["--to", "0600000000"]))
        }
        let generic = Fixture.directory.appendingPathComponent("generic")
        for file in try files.contentsOfDirectory(atPath: generic.path).sorted() {
            let data = try Data(contentsOf: generic.appendingPathComponent(file))
            cases.append(Case(name: "generic/\(file)", stdin: data, args: file.contains("summary-only") || file.hasPrefix("plain") ? ["--to", "0600000000"] : []))
        }
        return cases
    }

    /// `NAME=value` lines (`\n` in a value is a newline; `#` comments and blank lines skipped).
    static func environment(_ text: String) -> [String: String] {
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            env[String(line[..<equals])] = line[line.index(after: equals)...].replacingOccurrences(of: "\\n", with: "\n")
        }
        return env
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
        try Fixture.expectMatches(report, "rendered-texts.txt")
    }
}
