import Foundation
import SMSPartnerTesting
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `serve` under hostile or broken clients (issue 16, section 2), through real sockets on
/// loopback.
@Suite("serve: hostile and broken clients", .timeLimit(.minutes(3)))
struct ServeHostileClientTests {
    static let oncall = "+33611111111"

    /// A configuration with Basic credentials, and the `Authorization` header that passes.
    static func basicAuth(_ dir: TemporaryDirectory, extra: String = "") throws -> (config: String, header: String) {
        let password = "pw-\(UUID().uuidString.prefix(8))"
        let file = try dir.write("password", password + "\n")
        let config = try dir.write("config.yml", """
            serve:
              basic_auth: {username: alertmanager, password_file: \(file)}
            \(extra)
            """)
        return (config, "Authorization: Basic " + Data("alertmanager:\(password)".utf8).base64EncodedString())
    }

    /// `GET /metrics` with `headers`, as text.
    static func metrics(_ serve: ServeProcess, headers: [String] = []) async throws -> String {
        let response = try await serve.request(.get, "/metrics", headers: headers)
        #expect(response.status == 200, "\(response.bodyText)")
        return response.bodyText
    }

    /// The series of a Prometheus exposition: each sample's name and labels.
    static func series(_ exposition: String) -> Set<String> {
        Set(exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            line.lastIndex(of: " ").map { String(line[..<$0]) }
        })
    }

    /// The sum of the samples of `name` (any labels).
    static func sum(_ name: String, in exposition: String) -> Double {
        exposition.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; whether it held.
    static func eventually(_ timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// User plus system CPU time of process `pid`, in seconds.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("2,000 unauthenticated requests for unique paths add no metric series")
    func refusedPathsAddNoSeries() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let (config, auth) = try Self.basicAuth(dir)
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let port = serve.port
            // The first refusals and the first GET /metrics create the series the rest count in.
            let warmUp = try await RawConnection.blocking {
                let connection = try RawConnection(port: port)
                return try (0..<10).map { try connection.request("GET", "/warm-up/\($0)").status }
            }
            #expect(warmUp == Array(repeating: 401, count: 10))
            _ = try await Self.metrics(serve, headers: [auth])
            let before = try await Self.metrics(serve, headers: [auth])

            let statuses = try await RawConnection.blocking {
                let connection = try RawConnection(port: port)
                let filler = String(repeating: "x", count: 200)
                return try (0..<2000).map { try connection.request("GET", "/probe/\($0)/\(filler)").status }
            }
            #expect(Set(statuses) == [401])
            let after = try await Self.metrics(serve, headers: [auth])
            #expect(Self.series(after) == Self.series(before),
                    "new series: \(Self.series(after).subtracting(Self.series(before)).sorted().prefix(5))")
            #expect(after.utf8.count < before.utf8.count + 1024, "/metrics grew from \(before.utf8.count) to \(after.utf8.count) bytes")
            #expect(!after.contains("/probe/") && !after.contains("/warm-up/"))
            #expect(after.contains(#"smspartner_webhooks_total{route="unmatched",status="401"} 2010"#), "\(after)")
            #expect(await serve.stop() == 0)
        }
    }
}
