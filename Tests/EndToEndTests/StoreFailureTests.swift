import Foundation
import GRDB
import SMSPartnerTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A store that cannot be used stops `send` with one clear line and a documented exit code
/// (78, or 75 for a lock that outlasts the wait), within its time budget, and nothing is sent.
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

    @Test("a file that is not a database: exit 78 naming it, nothing sent")
    func corrupt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = try dir.makeDirectory("state")
        try dir.write("state/state.db", Data((0..<16384).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state
            let result = try await CLI.run(Self.alert, env: env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains("\(state)/state.db is damaged"), "\(result.summary)")
            #expect(result.stderr.contains("move it aside"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("a lock held by another process for longer than the wait: exit 75 within the budget, nothing sent")
    func locked() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let state = dir.path("state")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = state
            let first = try await CLI.run(["send", "--to", "0600000000", "--message", "create the store"], env: env)
            #expect(first.exitCode == 0, "\(first.summary)")
            // Another process's view: an exclusive transaction held on a thread of its own
            // while the command runs (GRDB wants a transaction closed within one access).
            let holder = try DatabaseQueue(path: state + "/state.db")
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            Thread {
                try? holder.writeWithoutTransaction { db in
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                    locked.signal()
                    release.wait()
                    try db.execute(sql: "ROLLBACK")
                }
            }.start()
            #expect(locked.wait(timeout: .now() + 10) == .success)
            let result = try await CLI.run(Self.alert, env: env, timeout: .seconds(20))
            release.signal()
            #expect(result.exitCode == 75, "\(result.summary)")
            #expect(result.stderr.contains("stayed locked by another process"), "\(result.summary)")
            #expect(result.elapsed < .seconds(6), "the wait is bounded by --timeout 4: \(result.elapsed)")
            #expect(fake.deliveredMessages.count == 1, "only the first")
        }
    }

    @Test("a read-only database: exit 78 saying so, nothing sent")
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
            for file in ["state.db", "state.db-wal", "state.db-shm", "state.lock"] { chmod(state + "/" + file, 0o644) }
            let result = try await Self.asUnprivileged(Self.alert, env: env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains("read-only") || result.stderr.contains("cannot open the state database"), "\(result.summary)")
            #expect(fake.deliveredMessages.count == 1, "only the first")
        }
    }

    @Test("a state directory that cannot be created: exit 78 naming it, nothing sent")
    func unwritableDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Under a regular file: not even root can create it.
        let file = try dir.write("file", "not a directory")
        try await withFake { fake in
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = file + "/state"
            let result = try await CLI.run(Self.alert, env: env)
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains("state directory \(file)/state is unusable"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("a state directory this user may not write in: exit 78, nothing sent")
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
            #expect(result.exitCode == 78, "\(result.summary)")
            #expect(result.stderr.contains("state directory \(state) is unusable"), "\(result.summary)")
            #expect(fake.requests.isEmpty)
        }
    }
}
