import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// Issue 16: input reached stdout, `--dry-run` and the log raw: a newline in a skipped phone
/// number forged a `sent: +33600000099 …` line, a newline in `NAGIOS_HOSTNAME` a second
/// `request:` line, and escape sequences went to the terminal as they were. Property: whatever
/// the input holds, no byte below 0x20 other than the newline that ends a line, no DEL, no C1
/// control, no Unicode line separator and no bidi override ever reaches `send`'s stdout or
/// stderr.
@Suite("output cannot be forged by input")
struct OutputSafetyTests {
    /// What an attacker would put in a field.
    static let hostile = [
        "\n", "\r", "\r\n", "\t", "\u{1B}[31m", "\u{1B}]0;owned\u{07}", "\u{1B}[2J", "\u{7F}", "\u{8}", "\u{85}", "\u{9B}31m",
        "\u{2028}", "\u{2029}", "\u{202E}", "\u{2066}", "\nsent: +33600000099 (message_id 1, nb_sms 1)\n", "\nrequest: POST x\n",
    ]
    static let plain = ["web01", "HTTP", "CRITICAL", "disk 97%", "é", "x", " ", "0600000001", "+33600000002", ":", "="]

    static func field<G: RandomNumberGenerator>(_ generator: inout G, allowNUL: Bool = false) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 1...5, using: &generator) {
            if Bool.random(using: &generator) {
                text += hostile.randomElement(using: &generator) ?? "\n"
            } else {
                text += plain.randomElement(using: &generator) ?? "x"
            }
        }
        if allowNUL, Int.random(in: 0..<4, using: &generator) == 0 { text += "\u{0}" }
        return text
    }

    /// The bytes that must never reach the output, or nil.
    static func forbidden(_ text: String) -> String? {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: continue
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                return String(format: "U+%04X", scalar.value)
            default: continue
            }
        }
        return nil
    }

    static func expectClean(_ result: CLIResult, _ input: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
            if let bad = forbidden(text) {
                Issue.record("\(bad) on \(name) from input \(input.debugDescription): \(result.summary)", sourceLocation: sourceLocation)
            }
        }
        // A forged line would start like one of ours.
        let sent = result.stdoutLines.filter { $0.hasPrefix("sent: +33600000099") }
        #expect(sent.isEmpty, "forged line: \(result.summary)", sourceLocation: sourceLocation)
        #expect(result.stdoutLines.filter { $0.hasPrefix("request: ") }.count <= 1, "\(result.summary)", sourceLocation: sourceLocation)
    }

    @Test("random hostile fields in flags, environment and stdin: dry-run, send and status stay one line per line")
    func hostileInputNeverForgesOutput() async throws {
        var generator = SystemRandomNumberGenerator()
        try await withFake { fake in
            let state = try TemporaryDirectory()
            defer { state.remove() }
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state.path("state")
            for round in 0..<24 {
                let host = Self.field(&generator)
                let output = Self.field(&generator)
                let pager = Self.field(&generator)
                let cases: [(args: [String], env: [String: String], stdin: String?)] = [
                    (["send", "--to", "0600000001", "--notification-type", "PROBLEM", "--host", host, "--service", Self.field(&generator),
                      "--service-state", "CRITICAL", "--output", output], [:], nil),
                    (["send", "--format", "nagios"], [
                        "NAGIOS_NOTIFICATIONTYPE": "PROBLEM", "NAGIOS_HOSTNAME": host, "NAGIOS_HOSTSTATE": "DOWN",
                        "NAGIOS_HOSTOUTPUT": output, "NAGIOS_CONTACTPAGER": pager,
                    ], nil),
                    (["send", "--format", "generic"], [:],
                     #"{"to": ["0600000001", "# + Self.json(pager) + #"], "host": "# + Self.json(host) + #", "summary": "# + Self.json(output) + "}"),
                    (["send", "--to", "0600000001"], [:], "host=" + host + "\nsummary=" + Self.field(&generator, allowNUL: true) + "\n"),
                    (["send", "--to", "0600000001"], [:], Self.field(&generator, allowNUL: true) + "\n" + output),
                    (["send", "--format", "alertmanager", "--to", "0600000001"], [:],
                     #"{"version":"4","status":"firing","receiver":"# + Self.json(host) + #","alerts":[{"status":"firing","labels":{"alertname":"# + Self.json(output) + #","instance":"# + Self.json(host) + #"},"annotations":{"summary":"# + Self.json(output) + #"}}]}"#),
                ]
                for (index, item) in cases.enumerated() {
                    let dry = try await CLI.run(item.args + ["--dry-run"], env: env.merging(item.env) { _, new in new }, stdin: item.stdin)
                    Self.expectClean(dry, "\(item.args) \(item.env) \(item.stdin ?? "")")
                    // A real send (a fresh dedup key each round) through the fake, every third case.
                    if (round + index) % 3 == 0 {
                        let sent = try await CLI.run(item.args + ["--dedup-key", "r\(round)c\(index)"], env: env.merging(item.env) { _, new in new }, stdin: item.stdin)
                        Self.expectClean(sent, "\(item.args) \(item.env) \(item.stdin ?? "")")
                    }
                }
            }
            let status = try await CLI.run(["status", "--latest", "200"], env: env)
            #expect(status.exitCode == 0, "\(status.summary)")
            Self.expectClean(status, "status")
            #expect(!fake.deliveredMessages.isEmpty, "some of it was sent")
        }
    }

    /// The issue's own examples, checked line by line.
    @Test("a newline in a skipped number or in NAGIOS_HOSTNAME adds no line")
    func theReportedForgeries() async throws {
        try await withFake { fake in
            var env = fake.env
            env["NAGIOS_NOTIFICATIONTYPE"] = "PROBLEM"
            env["NAGIOS_HOSTNAME"] = "web01\nrequest: POST http://evil/send {}"
            env["NAGIOS_HOSTSTATE"] = "DOWN"
            env["NAGIOS_CONTACTPAGER"] = "0600000001"
            let dry = try await CLI.run(["send", "--format", "nagios", "--dry-run"], env: env)
            #expect(dry.exitCode == 0, "\(dry.summary)")
            #expect(dry.stdoutLines.filter { $0.hasPrefix("request:") }.count == 1, "\(dry.summary)")
            #expect(dry.stdout.contains(#"web01\nrequest: POST http://evil/send {}"#), "escaped, still readable: \(dry.summary)")
            let input = #"{"to": ["0600000001", "x\nsent: +33600000099 (message_id 9, nb_sms 1)"], "summary": "disk full"}"#
            let sent = try await CLI.run(["send", "--format", "generic"], env: fake.env, stdin: input)
            #expect(sent.exitCode == 0, "\(sent.summary)")
            #expect(sent.stdoutLines.filter { $0.hasPrefix("sent: ") }.count == 1, "\(sent.summary)")
            #expect(sent.stdoutLines.contains { $0.hasPrefix("skipped: x\\nsent: +33600000099") }, "\(sent.summary)")
            Self.expectClean(sent, input)
        }
    }

    /// A JSON string literal's inside.
    static func json(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
