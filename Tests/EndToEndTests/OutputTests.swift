import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// Output meant for people and scripts: dry-run lines, help and version, checked against expected files.
@Suite("dry-run, help and version")
struct OutputTests {
    @Test("--dry-run prints the SMS and the request, contacts nothing, needs no key")
    func dryRun() async throws {
        try await withFake { fake in
            for env in [fake.env, ["SMSPARTNER_API_URL": fake.baseURL]] {
                let result = try await CLI.run(SendTests.nagiosService + ["--dry-run"], env: env)
                #expect(result.exitCode == 0, "\(result.summary)")
                let lines = result.stdoutLines
                #expect(lines.contains("text: PROBLEM web01/HTTP CRITICAL: Connection refused"), "\(result.summary)")
                #expect(lines.contains("encoding: gsm7"), "\(result.summary)")
                #expect(lines.contains("segments: 1"), "\(result.summary)")
                #expect(lines.contains("recipients: +33600000000"), "\(result.summary)")
                let requests = lines.filter { $0.hasPrefix("request: ") }
                #expect(requests.count == 1, "\(result.summary)")
                let request = try #require(requests.first)
                #expect(request.hasPrefix("request: POST \(fake.baseURL)/send {"), "\(request)")
                #expect(request.contains(#""apiKey":"<redacted>""#), "\(request)")
                #expect(request.contains(#""isStopSms":0"#), "\(request)")
            }
            #expect(fake.requests.isEmpty, "a dry run contacted the API")
        }
    }

    @Test("--dry-run output of a Nagios service alert matches the expected file")
    func dryRunSnapshot() async throws {
        let env = ["SMSPARTNER_API_URL": "http://127.0.0.1:9/v1", "SMSPARTNER_API_KEY": FakeSMSPartner.defaultAPIKey]
        let result = try await CLI.run(SendTests.nagiosService + ["--dry-run"], env: env)
        #expect(result.exitCode == 0, "\(result.summary)")
        try FixtureDirectory.endToEnd.expectMatches(result.stdout, "dry-run-nagios-service.txt")
    }

    @Test("--dry-run of 600 recipients shows both requests")
    func dryRunBatches() async throws {
        let numbers = (0..<600).map { "+336100" + String(format: "%05d", $0) }
        let result = try await CLI.run(
            ["send", "--to", numbers.joined(separator: ","), "--message", "disk full", "--dry-run"],
            env: ["SMSPARTNER_API_URL": "http://127.0.0.1:9/v1"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdoutLines.filter { $0.hasPrefix("request: POST http://127.0.0.1:9/v1/send ") }.count == 2)
    }

    @Test("help matches the expected files", arguments: [(["send", "--help"], "help-send.txt"), (["run", "--help"], "help-run.txt"), (["--help"], "help-root.txt")])
    func help(args: [String], fixture: String) async throws {
        let result = try await CLI.run(args)
        #expect(result.exitCode == 0, "\(result.summary)")
        try FixtureDirectory.endToEnd.expectMatches(result.stdout, fixture)
    }

    @Test("--version prints one semver line")
    func version() async throws {
        let result = try await CLI.run(["--version"])
        #expect(result.exitCode == 0, "\(result.summary)")
        #expect(result.stdoutLines.count == 1)
        let line = try #require(result.stdoutLines.first)
        let semver = #/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/#
        #expect(line.wholeMatch(of: semver) != nil, "not semver: \(line)")
    }
}

/// The harness itself: a hung child is killed and fails the test instead of hanging the suite.
@Suite("harness")
struct HarnessTests {
    @Test("a child that outlives the timeout is killed and reported")
    func killsHungChild() async throws {
        let error = await #expect(throws: CLIError.self) {
            // Waits up to 20 s (the default budget) for stdin that never ends.
            _ = try await CLI.run(
                ["send", "--to", "0600000000"], env: ["SMSPARTNER_API_URL": "http://127.0.0.1:9/v1"],
                input: .neverClosed(Data()), timeout: .seconds(1))
        }
        guard case .timedOut(_, _, let killedAfter, _, _) = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(killedAfter < .seconds(5))
    }
}
