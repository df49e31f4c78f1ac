import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// Two-way paging through the binary: the SMS ends with its reply code, and `status` lists the
/// open page under that code.
@Suite("two-way paging: reply codes and open pages", .timeLimit(.minutes(2)))
struct TwoWayTests {
    @Test("with two_way, the SMS ends with ' ack:<code>' and status (text and --json) lists the open page")
    func aProblemOpensAPageWithItsCode() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "two_way:\n  on_call: {\"+33600000000\": alice}\n")
            let state = dir.path("state")
            let sent = try await CLI.run(["send", "--to", "+33611111111", "--message", "disk full on db1", "--config", config,
                                          "--state-dir", state], env: fake.env)
            #expect(sent.exitCode == 0, "\(sent.stderr)")
            let text = try #require(fake.deliveredMessages.last?.message)
            let code = String(text.suffix(2))
            #expect(text == "disk full on db1 ack:" + code, "\(text)")

            let status = try await CLI.run(["status", "--config", config, "--state-dir", state], env: fake.env)
            #expect(status.stdoutLines.contains { $0.hasPrefix("  \(code) +33611111111 ") }, "\(status.stdout)")
            let json = try await CLI.run(["status", "--json", "--config", config, "--state-dir", state], env: fake.env)
            let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let pages = document?["pages"] as? [[String: Any]]
            #expect(pages?.first?["code"] as? String == code && pages?.first?["recipient"] as? String == "+33611111111", "\(json.stdout)")
        }
    }
}
