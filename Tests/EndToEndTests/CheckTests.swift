import Foundation
import GRDB
import SMSPartnerTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `check`, the notifier as a monitoring plugin, run as Nagios or Icinga would run it: one
/// `SMSPARTNER STATE - … | perfdata` line, exit 0 to 3, every threshold reached exactly, and
/// the state left as it was.
@Suite("check: the monitoring plugin", .timeLimit(.minutes(2)))
struct CheckTests {
    /// A state directory of the test's own, and the environment that points at it and the fake.
    struct Site {
        let scratch: TemporaryDirectory
        let dir: String

        init() throws {
            scratch = try TemporaryDirectory()
            dir = scratch.path("state")
        }

        func env(_ fake: FakeSMSPartner, now: Date? = nil) -> [String: String] {
            var env = fake.env
            env["SMSPARTNER_STATE_DIR"] = dir
            if let now { env["SMSPARTNER_NOTIFY_FAKE_NOW"] = String(now.timeIntervalSince1970) }
            return env
        }

        func check(_ fake: FakeSMSPartner, _ args: [String] = [], now: Date? = nil, env extra: [String: String] = [:],
                   secrets: [String] = []) async throws -> CLIResult {
            var env = env(fake, now: now)
            env.merge(extra) { _, new in new }
            return try await CLI.run(["check"] + args, env: env, timeout: .seconds(30), secrets: secrets)
        }

        /// Sends `message` and expects it sent.
        func send(_ fake: FakeSMSPartner, _ message: String) async throws {
            let result = try await CLI.run(["send", "--to", "0600000000", "--message", message], env: env(fake))
            #expect(result.exitCode == 0, "\(result.summary)")
        }

        var database: String { dir + "/state.db" }

        func remove() { scratch.remove() }
    }

    /// The summary and the perfdata of a check's line.
    static func parts(_ result: CLIResult) -> (summary: String, perf: String) {
        let line = result.stdoutLines.first ?? ""
        let halves = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        return (halves.first ?? "", halves.count > 1 ? halves[1] : "")
    }

    @Test("OK after a success: every item in the summary and in the perfdata with its thresholds; nothing on stderr")
    func ok() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            try await site.send(fake, "disk full")
            let result = try await site.check(fake)
            #expect(result.exitCode == 0, "\(result.summary)")
            let (summary, perf) = Self.parts(result)
            #expect(summary.hasPrefix("SMSPARTNER OK - credits 1000, outbox empty, queued 0, last success "), "\(result.summary)")
            #expect(summary.hasSuffix(", no delivery report in 24h, no report 0, store writable"), "\(result.summary)")
            let data = perf.split(separator: " ").map(String.init)
            #expect(data.count == 7, "\(result.summary)")
            #expect(data.first == "credits=1000;200;50;0;", "\(result.summary)")
            for expected in ["oldest_queued=0s;600;3600;0;", "queued=0;20;100;0;", "last_success=0s;1800;7200;0;",
                             "undelivered=0%;10;25;0;100", "no_report=0;10;50;0;", "store=1;;1:;0;1"] {
                #expect(data.contains(expected), "\(expected) in \(result.summary)")
            }
            #expect(fake.requests.last?.path == "/v1/me", "credits asked of SMSPartner")
        }
    }

    @Test("credits exactly at the warning limit: WARNING (1); one above: OK; -w/-c are the credits limits")
    func creditsAtWarning() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            fake.setCredits(200)
            let atDefault = try await site.check(fake)
            #expect(atDefault.exitCode == 1, "\(atDefault.summary)")
            #expect(atDefault.stdout.hasPrefix("SMSPARTNER WARNING - credits 200 <= 200, outbox empty,"), "\(atDefault.summary)")
            fake.setCredits(500)
            let atShort = try await site.check(fake, ["-w", "500", "-c", "100"])
            #expect(atShort.exitCode == 1, "\(atShort.summary)")
            #expect(atShort.stdout.contains("| credits=500;500;100;0; "), "\(atShort.summary)")
            fake.setCredits(501)
            let above = try await site.check(fake, ["--credits-warning", "500", "--credits-critical", "100"])
            #expect(above.exitCode == 0, "\(above.summary)")
            #expect(above.stdout.hasPrefix("SMSPARTNER OK - credits 501,"), "\(above.summary)")
        }
    }

    @Test("credits exactly at the critical limit: CRITICAL (2), named first")
    func creditsAtCritical() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            fake.setCredits(50)
            let result = try await site.check(fake)
            #expect(result.exitCode == 2, "\(result.summary)")
            #expect(result.stdout.hasPrefix("SMSPARTNER CRITICAL - credits 50 <= 50, outbox empty,"), "\(result.summary)")
            #expect(result.stdout.contains("| credits=50;200;50;0; "), "\(result.summary)")
        }
    }

    @Test("a wrong API key (code 10): CRITICAL (2), SMSPartner's words, never the key")
    func wrongKey() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            let wrong = "wrong-key-9876543210fedcba"
            let result = try await site.check(fake, env: ["SMSPARTNER_API_KEY": wrong], secrets: [wrong])
            #expect(result.exitCode == 2, "\(result.summary)")
            #expect(result.stdout.hasPrefix("SMSPARTNER CRITICAL - credits: SMSPartner refused the request: code 10 (API key wrong)"), "\(result.summary)")
            #expect(result.stdout.contains("credits=U;200;50;0;"), "\(result.summary)")
        }
    }

    @Test("no API key: UNKNOWN (3) saying so; SMSPartner unreachable: UNKNOWN, not CRITICAL")
    func creditsUndetermined() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            let noKey = try await site.check(fake, env: ["SMSPARTNER_API_KEY": ""])
            #expect(noKey.exitCode == 3, "\(noKey.summary)")
            #expect(noKey.stdout.hasPrefix("SMSPARTNER UNKNOWN - credits not checked: no SMSPartner API key"), "\(noKey.summary)")
            let port = try RawConnection.freePort()
            let unreachable = try await site.check(fake, env: ["SMSPARTNER_API_URL": "http://127.0.0.1:\(port)/v1"])
            #expect(unreachable.exitCode == 3, "\(unreachable.summary)")
            #expect(unreachable.stdout.hasPrefix("SMSPARTNER UNKNOWN - credits: SMSPartner unreachable"), "\(unreachable.summary)")
        }
    }

    @Test("a stuck outbox (SMSPartner answering 503): WARNING past --outbox-warning, CRITICAL past --outbox-critical, as is the last success")
    func stuckOutbox() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            try await site.send(fake, "an earlier page")
            fake.setDefaultReply(.http(status: 503, body: "<html>503 Service Unavailable</html>"))
            let kept = try await CLI.run(["send", "--to", "0600000000", "--message", "disk full", "--timeout", "2"], env: site.env(fake))
            #expect(kept.exitCode == 75, "kept in the outbox: \(kept.summary)")
            let fresh = try await site.check(fake)
            #expect(fresh.exitCode == 0, "a message just queued is no problem: \(fresh.summary)")
            #expect(fresh.stdout.contains(", outbox oldest ") || fresh.stdout.contains("- outbox oldest "), "\(fresh.summary)")
            #expect(fresh.stdout.contains("queued 1,"), "\(fresh.summary)")

            let later = Date().addingTimeInterval(20 * 60)
            let warning = try await site.check(fake, now: later)
            #expect(warning.exitCode == 1, "\(warning.summary)")
            // Ages are whole seconds past the fake now: 20m, or 20m1s on a slow machine.
            #expect(warning.stdout.hasPrefix("SMSPARTNER WARNING - outbox oldest 20m"), "\(warning.summary)")
            // The last success came before the kept send, seconds to minutes earlier on a loaded machine.
            #expect(warning.stdout.contains(" >= 10m, credits 1000, queued 1, last success 2"),
                    "the item not OK first, then the others in their order: \(warning.summary)")
            #expect(warning.stdout.contains(" ago (a delivery due for 20m"), "\(warning.summary)")

            let muchLater = Date().addingTimeInterval(2 * 3600 + 60)
            let critical = try await site.check(fake, now: muchLater)
            #expect(critical.exitCode == 2, "\(critical.summary)")
            #expect(critical.stdout.hasPrefix("SMSPARTNER CRITICAL - outbox oldest 2h1m"), "\(critical.summary)")
            #expect(critical.stdout.contains(" >= 1h, no success for 2h1m"), "\(critical.summary)")
            #expect(critical.stdout.contains(" >= 2h (last success 2h"), "\(critical.summary)")
            #expect(critical.stdout.contains(" oldest_queued=72"), "\(critical.summary)")
            #expect(critical.stdout.contains("s;600;3600;0; "), "\(critical.summary)")

            let shortLimit = try await site.check(fake, ["--outbox-critical", "15m", "--last-success-critical", "1d"], now: later)
            #expect(shortLimit.exitCode == 2, "\(shortLimit.summary)")
            #expect(shortLimit.stdout.hasPrefix("SMSPARTNER CRITICAL - outbox oldest 20m"), "\(shortLimit.summary)")
            #expect(shortLimit.stdout.contains(" >= 15m, credits 1000,"), "\(shortLimit.summary)")
            #expect(shortLimit.stdout.contains(" oldest_queued=120"), "\(shortLimit.summary)")
            #expect(shortLimit.stdout.contains("s;600;900;0; "), "\(shortLimit.summary)")
        }
    }

    @Test("delivery: the share of not_delivered over the window and the SMS without a final report")
    func delivery() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            for index in 1...4 { try await site.send(fake, "page \(index)") }
            let queue = try DatabaseQueue(path: site.database)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await queue.write { db in
                try db.execute(sql: "UPDATE delivery SET receipt = 'not_delivered', receipt_at = ? WHERE id <= 3", arguments: [now])
                try db.execute(sql: "UPDATE delivery SET receipt = 'delivered', receipt_at = ? WHERE id = 4", arguments: [now])
            }
            let undelivered = try await site.check(fake)
            #expect(undelivered.exitCode == 2, "\(undelivered.summary)")
            #expect(undelivered.stdout.hasPrefix("SMSPARTNER CRITICAL - undelivered 75% >= 25% (3 of 4 in 24h), credits 1000,"), "\(undelivered.summary)")
            #expect(undelivered.stdout.contains(" undelivered=75%;10;25;0;100 "), "\(undelivered.summary)")

            // Sent two hours ago and still only accepted: no report when one was expected.
            try await queue.write { db in
                try db.execute(sql: "UPDATE delivery SET receipt = 'accepted', sent_at = ? WHERE id <= 3", arguments: [now - 7_200_000])
                try db.execute(sql: "UPDATE delivery SET receipt = 'expired' WHERE id = 4")
            }
            let noReport = try await site.check(fake, ["--no-report-warning", "3", "--no-report-critical", "5"])
            #expect(noReport.exitCode == 1, "\(noReport.summary)")
            #expect(noReport.stdout.hasPrefix("SMSPARTNER WARNING - no report 4 >= 3, credits 1000,"), "\(noReport.summary)")
            #expect(noReport.stdout.contains("no delivery report in 24h"), "\(noReport.summary)")
            try queue.close()
        }
    }

    @Test("a store that cannot be used is CRITICAL: a file where the directory should be, a damaged database")
    func unusableStore() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            _ = try site.scratch.write("state", Data("not a directory\n".utf8))
            let file = try await site.check(fake)
            #expect(file.exitCode == 2, "\(file.summary)")
            #expect(file.stdout.hasPrefix("SMSPARTNER CRITICAL - store: state directory \(site.dir) is unusable (not a directory)"), "\(file.summary)")
            #expect(file.stdout.contains(", credits 1000 | credits=1000;200;50;0; oldest_queued=U;600;3600;0; queued=U;"), "\(file.summary)")
            #expect(file.stdout.hasSuffix(" store=0;;1:;0;1\n"), "\(file.summary)")

            unlink(site.dir)
            _ = try site.scratch.makeDirectory("state")
            _ = try site.scratch.write("state/state.db", Data((0..<16384).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
            let damaged = try await site.check(fake)
            #expect(damaged.exitCode == 2, "\(damaged.summary)")
            #expect(damaged.stdout.hasPrefix("SMSPARTNER CRITICAL - store: the state database \(site.database) is damaged"), "\(damaged.summary)")
        }
    }

    @Test("no state yet (nothing ever ran): OK, and the check creates nothing")
    func noStateYet() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            let result = try await site.check(fake)
            #expect(result.exitCode == 0, "\(result.summary)")
            #expect(result.stdout.hasPrefix("SMSPARTNER OK - credits 1000, outbox empty, queued 0, nothing sent yet,"), "\(result.summary)")
            #expect(result.stdout.contains(", no state yet | "), "\(result.summary)")
            #expect(!FileManager.default.fileExists(atPath: site.dir), "the check created \(site.dir)")
        }
    }

    @Test("the check changes no state: every row of every table is the same after it, the write probe rolled back")
    func changesNothing() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            try await site.send(fake, "sent")
            fake.setDefaultReply(.http(status: 503, body: "<html>503</html>"))
            _ = try await CLI.run(["send", "--to", "0600000001", "--message", "queued", "--timeout", "2"], env: site.env(fake))
            let sends = fake.sendBodies.count
            let before = try Self.contents(site.database)
            #expect(before.contains("queued"), "the state holds the queued message")
            let result = try await site.check(fake, ["--queued-warning", "1"])
            #expect(result.exitCode == 1, "\(result.summary)")
            #expect(try Self.contents(site.database) == before, "the check changed the state")
            #expect(fake.sendBodies.count == sends, "the check sent nothing")
        }
    }

    @Test("past --timeout the check prints UNKNOWN and exits 3 in time: a store that hangs, SMSPartner that does not answer")
    func timeout() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            // Opening a FIFO for reading blocks until a writer comes: the store hangs.
            _ = try site.scratch.makeDirectory("state")
            #expect(mkfifo(site.database, 0o600) == 0)
            fake.setLatency(.seconds(5))
            let hung = try await site.check(fake, ["--timeout", "1"])
            #expect(hung.exitCode == 3, "\(hung.summary)")
            #expect(hung.stdout == "SMSPARTNER UNKNOWN - check timed out after 1s waiting for the state store\n", "\(hung.summary)")
            #expect(hung.elapsed < .seconds(2), "within the timeout and a second: \(hung.elapsed)")

            unlink(site.database)
            let slow = try await site.check(fake, ["--timeout", "2"])
            #expect(slow.exitCode == 3, "\(slow.summary)")
            #expect(slow.stdout.hasPrefix("SMSPARTNER UNKNOWN - credits: no answer from SMSPartner"), "\(slow.summary)")
            #expect(slow.stdout.contains(", no state yet | "), "the rest judged: \(slow.summary)")
            #expect(slow.elapsed < .seconds(3), "within the timeout and a second: \(slow.elapsed)")
        }
    }

    @Test("wrong usage is UNKNOWN on stdout (exit 3), as a plugin's")
    func usage() async throws {
        let site = try Site()
        defer { site.remove() }
        try await withFake { fake in
            for args in [["--credits-warning", "10", "--credits-critical", "20"], ["--outbox-critical", "soon"], ["--bogus"]] {
                let result = try await site.check(fake, args)
                #expect(result.exitCode == 3, "\(result.summary)")
                #expect(result.stdout.hasPrefix("SMSPARTNER UNKNOWN - "), "\(result.summary)")
            }
            #expect(fake.requests.isEmpty, "nothing asked of SMSPartner")
        }
    }

    /// Every row of every table of the database at `path`, as text.
    static func contents(_ path: String) throws -> String {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            var text = "user_version \(try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)\n"
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
                text += "table \(table)\n"
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY rowid") { text += "\(row)\n" }
            }
            return text
        }
    }
}
