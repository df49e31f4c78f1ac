import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// The one-shot commands (`send`, `status`, `check`) with their state on PostgreSQL
/// (`state: {backend: postgres}`): what several hosts paging into one database do.
@Suite("commands on PostgreSQL", .timeLimit(.minutes(5)))
struct PostgresCommandTests {
    static let recipient = "+33600000000"

    /// A configuration file naming a new database of the shared cluster (or `url`).
    static func configuration(_ scratch: TemporaryDirectory, url: String? = nil) throws -> String {
        let cluster = try PostgresCluster.shared()
        let database = try url ?? cluster.createUniqueDatabase().url
        return try scratch.write("config.yml", """
            rate_limits: []
            hourly_cap: off
            daily_cap: off
            state:
              backend: postgres
              url: \(database)?sslmode=disable
              password_file: \(cluster.passwordFile)
            """)
    }

    static func env(_ fake: FakeSMSPartner, config: String) -> [String: String] {
        fake.env.merging(["SMSPARTNER_NOTIFY_CONFIG": config]) { _, new in new }
    }

    static let alert = ["send", "--to", recipient, "--notification-type", "PROBLEM", "--host", "db1", "--service", "HTTP",
                        "--service-state", "CRITICAL", "--output", "HTTP CRITICAL"]

    /// 50 at once, beside the other tests (the 200-process storm on PostgreSQL, alone on the
    /// machine, is scripts/bench-state's).
    @Test("50 processes started at once for the same alert, on PostgreSQL, send exactly one SMS")
    func storm() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = try Self.configuration(scratch)
        try await withFake { fake in
            let results = try await withThrowingTaskGroup(of: CLIResult.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await CLI.run(Self.alert, env: Self.env(fake, config: config), timeout: .seconds(90)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.exitCode == 0 }, "\(results.filter { $0.exitCode != 0 }.prefix(3).map(\.summary))")
            #expect(fake.deliveredMessages.count == 1)
            #expect(results.count(where: { $0.stdout.hasPrefix("sent: ") }) == 1)
            #expect(results.count(where: { $0.stdout.hasPrefix("suppressed: \(Self.recipient): duplicate of #") }) == 49)
        }
    }

    @Test("status and check read and prove the PostgreSQL state, named without its password")
    func statusAndCheck() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = try Self.configuration(scratch)
        let cluster = try PostgresCluster.shared()
        try await withFake { fake in
            let empty = try await CLI.run(["status"], env: Self.env(fake, config: config), secrets: [cluster.password])
            #expect(empty.exitCode == 0, "\(empty.summary)")
            #expect(empty.stdout.contains("state: postgres://notify@127.0.0.1:\(cluster.port)/"), "\(empty.stdout)")
            let sent = try await CLI.run(Self.alert, env: Self.env(fake, config: config))
            #expect(sent.exitCode == 0, "\(sent.summary)")
            let status = try await CLI.run(["status"], env: Self.env(fake, config: config), secrets: [cluster.password])
            #expect(status.stdout.contains("last 1h: sent 1 "), "\(status.stdout)")
            let check = try await CLI.run(["check"], env: Self.env(fake, config: config), secrets: [cluster.password])
            #expect(check.exitCode == 0, "\(check.summary)")
            #expect(check.stdout.contains("store writable"), "\(check.stdout)")
        }
    }

    @Test("PostgreSQL unreachable: send fails open (73), the page goes out, status and check say why")
    func unreachable() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let port = try RawConnection.freePort()
        let config = try Self.configuration(scratch, url: "postgres://notify@127.0.0.1:\(port)/notify")
        try await withFake { fake in
            let sent = try await CLI.run(Self.alert, env: Self.env(fake, config: config))
            #expect(sent.exitCode == 73, "\(sent.summary)")
            #expect(sent.stdout.hasPrefix("sent: \(Self.recipient)"), "\(sent.stdout)")
            #expect(sent.stderr.contains("sent without state"), "\(sent.stderr)")
            #expect(sent.stderr.contains("postgres://notify@127.0.0.1:\(port)/notify cannot be reached (connection refused)"), "\(sent.stderr)")
            #expect(fake.deliveredMessages.count == 1)
            let status = try await CLI.run(["status"], env: Self.env(fake, config: config))
            #expect(status.exitCode == 75, "\(status.summary)")
            let check = try await CLI.run(["check"], env: Self.env(fake, config: config))
            #expect(check.exitCode == 2, "\(check.summary)")
            #expect(check.stdout.hasPrefix("SMSPARTNER CRITICAL - store: "), "\(check.stdout)")
        }
    }
}
