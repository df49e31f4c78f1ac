import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A store that cannot be used must not cost the page: `send` fails open. The SMS is delivered
/// once, without deduplication or rate limits, stdout has its `sent:` line, stderr one line that
/// names the store's problem, and the exit status is 73 (documented, for Nagios and Icinga to
/// log). Without a store there is no outbox: when SMSPartner does not take it in time, 74.
@Suite("state store failures", .timeLimit(.minutes(2)))
struct StoreFailureTests {
    static let alert = ["send", "--to", "0600000000", "--message", "disk full", "--timeout", "4"]

    /// Runs `args` as `nobody` when this process is root (root may write anything, so
    /// permissions would not bite), else as this user.
    static func asUnprivileged(_ args: [String], env: [String: String]) async throws -> CLIResult {
        if geteuid() == 0 {
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "setpriv (util-linux) is needed to drop root")
            return try await CLI.run(args, env: env, wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        }
        return try await CLI.run(args, env: env)
    }

    /// The page went out once more than `before`, without state: exit 73, one `sent:` line,
    /// and one stderr line that says so and names the problem (`mentions`).
    static func expectSentWithoutState(_ result: CLIResult, _ fake: FakeSMSPartner, before: Int = 0, mentions: [String],
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.exitCode == 73, "\(result.summary)", sourceLocation: sourceLocation)
        #expect(result.stdout.hasPrefix("sent: +33600000000 (message_id "), "\(result.summary)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line on stderr: \(result.summary)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("smspartner-notify: sent without state, so without deduplication or rate limits: the state is unusable: "),
                "\(result.summary)", sourceLocation: sourceLocation)
        #expect(mentions.contains { result.stderr.contains($0) }, "names the problem (\(mentions)): \(result.summary)", sourceLocation: sourceLocation)
        #expect(fake.deliveredMessages.count == before + 1, "delivered once: \(fake.deliveredMessages.count - before)", sourceLocation: sourceLocation)
        #expect(fake.deliveredMessages.last?.message == "disk full", sourceLocation: sourceLocation)
    }

    @Test("a file that is not a database: the page is sent once without state, exit 73 naming it")
    func corrupt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = try dir.makeDirectory("state")
        try dir.write("state/state.db", Data((0..<16384).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state
            let result = try await CLI.run(Self.alert, env: env)
            Self.expectSentWithoutState(result, fake, mentions: ["\(state)/state.db is damaged"])
            #expect(result.stderr.contains("move it aside"), "\(result.summary)")
        }
    }

    @Test("a lock held by a hung process for longer than the wait: sent without state within the budget, exit 73")
    func locked() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.path("state")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state
            let first = try await CLI.run(["send", "--to", "0600000000", "--message", "create the store"], env: env)
            #expect(first.exitCode == 0, "\(first.summary)")
            // Another process's view: an exclusive transaction held while the command runs.
            let lock = try StoreLock(database: state + "/state.db")
            // The first recipient had this alert already (the store, read, says so); the second had not.
            let result = try await CLI.run(["send", "--to", "0600000000,0600000001", "--message", "create the store", "--timeout", "4"],
                                           env: env, timeout: .seconds(20))
            lock.release()
            #expect(result.exitCode == 73, "\(result.summary)")
            #expect(result.stdoutLines.first?.hasPrefix("suppressed: +33600000000: duplicate of #1") == true, "\(result.summary)")
            #expect(result.stdoutLines.last?.hasPrefix("sent: +33600000001 (message_id ") == true, "\(result.summary)")
            #expect(result.stderr.contains("stayed locked by another process for 2 s (is one hung?)"), "\(result.summary)")
            #expect(!result.stderr.contains("try again"), "sending again would send it again: \(result.summary)")
            #expect(fake.deliveredMessages.map(\.numbers) == [["+33600000000"], ["+33600000001"]], "only the one who had not got it")
            #expect(result.elapsed < .seconds(8), "the wait is bounded by --timeout 4: \(result.elapsed)")
        }
    }

    @Test("a read-only database: sent once without state, exit 73 saying so")
    func readOnly() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.path("state")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state
            let first = try await CLI.run(["send", "--to", "0600000000", "--message", "create the store"], env: env)
            #expect(first.exitCode == 0, "\(first.summary)")
            // The directory stays writable for everyone; the database itself does not.
            chmod(dir.root, 0o755)
            chmod(state, 0o777)
            // 0444, not 0644: a developer who is not root owns these files, and may write a 0644 one.
            for file in ["state.db", "state.db-wal", "state.db-shm", "state.lock"] { chmod(state + "/" + file, 0o444) }
            let result = try await Self.asUnprivileged(Self.alert, env: env)
            Self.expectSentWithoutState(result, fake, before: 1, mentions: ["read-only", "cannot open the state database"])
        }
    }

    @Test("a state directory that cannot be created: sent once without state, exit 73 naming it")
    func unwritableDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Under a regular file: not even root can create it.
        let file = try dir.write("file", "not a directory")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = file + "/state"
            let result = try await CLI.run(Self.alert, env: env)
            Self.expectSentWithoutState(result, fake, mentions: ["state directory \(file)/state is unusable"])
        }
    }

    @Test("a file where the state directory should be: sent once without state, exit 73")
    func fileInsteadOfDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("state", "not a directory")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = file
            let result = try await CLI.run(Self.alert, env: env)
            Self.expectSentWithoutState(result, fake, mentions: ["state directory \(file) is unusable (not a directory)"])
        }
    }

    @Test("a state directory this user may not write in: sent once without state, exit 73")
    func notWritableForThisUser() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = try dir.makeDirectory("state")
        chmod(dir.root, 0o755)
        chmod(state, 0o755)
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state
            let result = try await Self.asUnprivileged(Self.alert, env: env)
            Self.expectSentWithoutState(result, fake, mentions: ["state directory \(state) is unusable"])
        }
    }

    @Test("without state and with SMSPartner down: exit 74, not sent and not kept, said in one line")
    func withoutStateProviderDown() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("state", "not a directory")
        try await withFake { fake in
            fake.setDefaultReply(.http(status: 503, body: "busy"))
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = file
            let result = try await CLI.run(["send", "--to", "0600000000", "--message", "disk full", "--timeout", "2"], env: env)
            #expect(result.exitCode == 74, "\(result.summary)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.summary)")
            #expect(result.stderr.contains("not sent within 2 s"), "\(result.summary)")
            #expect(result.stderr.contains("and not kept: the state is unusable: state directory \(file) is unusable"), "\(result.summary)")
            #expect(fake.requests.count >= 2, "retried within the budget: \(fake.requests.count)")
            #expect(fake.deliveredMessages.isEmpty)
        }
    }

    @Test("without state, a number SMSPartner refuses for good: exit 69 as with a store, the store's problem named too")
    func withoutStateRejected() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("state", "not a directory")
        try await withFake { fake in
            fake.setDefaultReply(.error(code: 9))
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = file
            let result = try await CLI.run(Self.alert, env: env)
            #expect(result.exitCode == 69, "\(result.summary)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.summary)")
            #expect(result.stderr.contains("the state is unusable"), "\(result.summary)")
            #expect(fake.requests.count == 1, "a permanent refusal is not retried")
        }
    }
}
