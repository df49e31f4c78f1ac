import Foundation
import SMSPartnerTesting
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `serve` under hostile or broken clients (issue 16, section 2), through real sockets on
/// loopback: refused paths that must not become metric series, a store that refuses writes,
/// idle connections at the open-files limit, bodies cut off, web pages posting, log lines
/// forged through a receiver name, and a port already taken.
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
        return (config, ServeTests.basicAuthorization(password))
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

    /// Foundation's JSON parser traps on input that reaches its 513th level where it ends
    /// (DecoderFuzzTests' depthLimitAtTheEnd): one such request must not take serve down.
    @Test("JSON reaching 513 levels where it ends: 400 'nested too deeply' on both routes, and serve lives on")
    func depthLimitAtTheEndIsRefused() async throws {
        try await withFake { fake in
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            for (path, prefix) in [("/alertmanager", ""), ("/alertmanager", #"{"alerts":"#), ("/alert", #"{"message":"x","labels":"#)] {
                let body = Data((prefix + String(repeating: "[", count: 513)).utf8)
                let reply = try await serve.post(path, body)
                #expect(reply.status == 400, "\(path) \(prefix): \(reply.status) \(reply.bodyText)")
                #expect(reply.bodyText.contains("nested too deeply"), "\(path): \(reply.bodyText)")
            }
            #expect(try await serve.request(.get, "/healthz").status == 200, "serve still answers")
            #expect(fake.requests.isEmpty, "nothing sent")
            #expect(await serve.stop() == 0)
        }
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
            let warmUp = try await OwnThread.run {
                let connection = try RawConnection(port: port)
                return try (0..<10).map { try connection.request("GET", "/warm-up/\($0)").status }
            }
            #expect(warmUp == Array(repeating: 401, count: 10))
            _ = try await Self.metrics(serve, headers: [auth])
            let before = try await Self.metrics(serve, headers: [auth])

            let statuses = try await OwnThread.run {
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

    @Test("400 idle connections at an open-files limit of 256: serve stays under it, does not spin, and /healthz answers")
    func idleConnectionsAtTheFileLimit() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "prlimit (util-linux) is needed")
        try await withFake { fake in
            // The hard limit too: serve raises its soft limit to the hard one.
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env,
                                               wrapper: ["/usr/bin/prlimit", "--nofile=256:256", "--"])
            let port = serve.port
            let pid = serve.process.processIdentifier
            let held = try await OwnThread.run {
                (0..<400).compactMap { _ in try? RawConnection(port: port, timeout: .seconds(10)) }
            }
            defer { held.forEach { $0.close() } }
            #expect(held.count == 400)

            let start = try Self.cpuSeconds(pid)
            try await Task.sleep(for: .seconds(3))
            let cpu = try Self.cpuSeconds(pid) - start
            #expect(cpu < 1.0, "serve used \(cpu) s of CPU in 3 s while idle connections were held")
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
            #expect(descriptors < 256, "\(descriptors) descriptors open")

            let health = try await OwnThread.run {
                try RawConnection(port: port, timeout: .seconds(5)).request("GET", "/healthz")
            }
            #expect(health.status == 200, "\(health.text)")
            let metrics = try await Self.metrics(serve)
            #expect(Self.sum("smspartner_serve_connections_closed_total", in: metrics) >= 400 - 192, "\(metrics)")
            #expect(Self.sum("smspartner_serve_connections", in: metrics) <= 192, "the cap is 256 - 64")
            #expect(serve.stderr.contains("serving at most 192 connections"), "\(serve.stderr)")
            #expect(await serve.stop() == 0)
        }
    }

    @Test("bodies cut off: answered 408 after read_timeout, their connections closed, no request left active")
    func cutBodiesAreReleased() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let token = "tok-\(UUID().uuidString)"
            let tokenFile = try dir.write("token", token)
            let config = try dir.write("config.yml", "serve:\n  bearer_token_file: \(tokenFile)\n  read_timeout: 1s\n")
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let port = serve.port
            let body = Array(ServeTests.webhook(group: "cut"))
            let count = 20
            let closed = try await OwnThread.run {
                let connections = try (0..<count).map { _ in
                    let connection = try RawConnection(port: port)
                    try connection.send("POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n")
                    try connection.send(Array(body.prefix(100)))
                    return connection
                }
                return connections.map { $0.closedByPeer() }
            }
            #expect(closed == Array(repeating: true, count: count), "serve closes each connection")
            let auth = "Authorization: Bearer \(token)"
            var metrics = ""
            #expect(try await Self.eventually {
                metrics = try await Self.metrics(serve, headers: [auth])
                // The GET /metrics being answered counts itself.
                return Self.sum("http_server_active_requests", in: metrics) <= 1
            }, "\(metrics)")
            #expect(metrics.contains(#"smspartner_webhooks_total{route="/alertmanager",status="408"} \#(count)"#), "\(metrics)")
            #expect(fake.requests.isEmpty)
            #expect(await serve.stop() == 0)
        }
    }

    @Test("a connection without a request, or whose head trickles in, is closed after idle_timeout; a body gets read_timeout")
    func idleAndSlowHeadersAreClosedFirst() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "serve:\n  idle_timeout: 1s\n  read_timeout: 60s\n")
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let port = serve.port
            let slowBody = try await OwnThread.run {
                let connection = try RawConnection(port: port)
                try connection.send("POST /alert HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"host\":")
                return connection
            }
            defer { slowBody.close() }
            async let silent = OwnThread.run { try RawConnection(port: port).closedByPeer() }
            async let trickling = OwnThread.run { () -> Bool in
                let connection = try RawConnection(port: port)
                try connection.send("POST /alert HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                for _ in 0..<100 {  // 20 s at most
                    usleep(200_000)
                    do { try connection.send("X-Trickle: 1\r\n") } catch { return true }
                }
                return false
            }
            #expect(try await silent, "a connection that sends nothing is closed")
            #expect(try await trickling, "a head trickling in is closed")
            let stillOpen = try await OwnThread.run { () -> Bool in
                try slowBody.send("\"nas\"")
                return slowBody.isOpenAndSilent()
            }
            #expect(stillOpen, "a body in progress has read_timeout (60 s), not idle_timeout")
            let metrics = try await Self.metrics(serve)
            #expect(metrics.contains(#"smspartner_serve_connections_closed_total{reason="idle"}"#), "\(metrics)")
            // A graceful stop waits for the request in progress, up to its read_timeout.
            slowBody.close()
            #expect(await serve.stop() == 0)
        }
    }

    @Test("/healthz answers 503 with the reason while the store refuses writes, logged once, and 200 once it takes them again")
    func healthFollowsTheWritePath() async throws {
        try await withFake { fake in
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            let first = try await serve.post("/alertmanager", ServeTests.webhook(group: "before"))
            #expect(first.status == 200, "\(first.bodyText)")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 1 })
            #expect(try await serve.request(.get, "/healthz").status == 200)

            // The pages of the tables a webhook and the heartbeat write are overwritten; the
            // ones /healthz used to read stay intact.
            let damage = try StoreDamage(database: serve.stateDir + "/state.db", tables: ["message", "meta"])
            var health = try await serve.request(.get, "/healthz")
            #expect(try await Self.eventually {
                health = try await serve.request(.get, "/healthz")
                return health.status == 503
            }, "\(health.status) \(health.bodyText)")
            #expect(health.bodyText.contains("is damaged"), "\(health.bodyText)")
            for index in 0..<3 {
                let refused = try await serve.post("/alertmanager", ServeTests.webhook(group: "during\(index)"))
                #expect(refused.status == 500, "\(refused.bodyText)")
                #expect(try await serve.request(.get, "/healthz").status == 503)
            }

            try damage.repair()
            var accepted = try await serve.post("/alertmanager", ServeTests.webhook(group: "after"))
            #expect(try await Self.eventually {
                if accepted.status != 200 { accepted = try await serve.post("/alertmanager", ServeTests.webhook(group: "after")) }
                return accepted.status == 200
            }, "\(accepted.bodyText)")
            #expect(try await Self.eventually { try await serve.request(.get, "/healthz").status == 200 })
            #expect(await serve.stop() == 0)
            let log = serve.stderr
            #expect(log.components(separatedBy: "the state store fails").count - 1 == 1, "\(log)")
            #expect(log.components(separatedBy: "the state store works again").count - 1 == 1, "\(log)")
        }
    }

    @Test("web pages cannot post: 415 unless Content-Type is application/json, 403 for an Origin not allowed")
    func browserRequestsAreRefused() async throws {
        try await withFake { fake in
            let webhook = Array(ServeTests.webhook(group: "browser"))
            let generic = Array(#"{"host":"nas1","summary":"from a page"}"#.utf8)
            func post(_ port: Int, _ path: String, _ headers: [String], _ body: [UInt8]) async throws -> RawConnection.Response {
                try await OwnThread.run { try RawConnection(port: port).request("POST", path, headers: headers, body: body) }
            }
            // The defaults: no origin allowed.
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            let cases: [(path: String, headers: [String], body: [UInt8], expected: Int)] = [
                // What a page may send without a preflight (a CORS "simple request").
                ("/alertmanager", ["Content-Type: text/plain"], webhook, 415),
                ("/alertmanager", ["Content-Type: application/x-www-form-urlencoded"], webhook, 415),
                ("/alertmanager", ["Content-Type: multipart/form-data; boundary=x"], webhook, 415),
                ("/alertmanager", [], webhook, 415),
                ("/alert", ["Content-Type: text/plain;charset=UTF-8"], generic, 415),
                ("/alertmanager", ["Content-Type: application/json", "Origin: http://127.0.0.1:8080"], webhook, 403),
                ("/alert", ["Content-Type: application/json", "Origin: null"], generic, 403),
                // What Alertmanager sends.
                ("/alertmanager", ["Content-Type: application/json"], webhook, 200),
                ("/alert", ["Content-Type: Application/JSON; charset=utf-8"], generic, 200),
            ]
            for item in cases {
                let response = try await post(serve.port, item.path, item.headers, item.body)
                #expect(response.status == item.expected, "\(item.path) \(item.headers): \(response.status) \(response.text)")
            }
            let port = serve.port
            let metrics = try await OwnThread.run {
                try RawConnection(port: port).request("GET", "/metrics", headers: ["Origin: https://evil.example"])
            }
            #expect(metrics.status == 403)
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 2 })
            #expect(await serve.stop() == 0)

            // An origin the configuration allows gets through.
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "serve:\n  allowed_origins: [\"https://grafana.example.net\"]\n")
            let allowing = try await ServeProcess(arguments: ["--to", Self.oncall, "--config", config], env: fake.env)
            let allowed = try await post(allowing.port, "/alertmanager",
                                         ["Content-Type: application/json", "Origin: https://grafana.example.net"],
                                         Array(ServeTests.webhook(group: "allowed")))
            #expect(allowed.status == 200, "\(allowed.text)")
            let other = try await post(allowing.port, "/alertmanager",
                                       ["Content-Type: application/json", "Origin: https://grafana.example.net.evil.example"], webhook)
            #expect(other.status == 403, "\(other.text)")
            #expect(await ServeProcess.eventually { fake.deliveredMessages.count == 3 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(fake.deliveredMessages.count == 3, "only the accepted ones")
            #expect(await allowing.stop() == 0)
        }
    }

    @Test("a receiver name with a newline and an escape sequence cannot forge or colour a log line")
    func logLinesEscapeInput() async throws {
        try await withFake { fake in
            let serve = try await ServeProcess(arguments: [], env: fake.env)
            let receiver = "night\nshift 2026-12-01T00:00:00+0000 error smspartner-notify: FORGED \u{1B}[31mred\u{1B}[0m"
            let response = try await serve.post("/alertmanager", ServeTests.webhook(group: "log", receiver: receiver))
            #expect(response.status == 400, "\(response.bodyText)")
            #expect(await serve.stop() == 0)
            let log = serve.stderr
            #expect(!log.contains("\u{1B}"), "an escape sequence reached the log")
            for line in log.split(separator: "\n") {
                #expect(line.hasPrefix("20") && line.contains(" smspartner-notify: "), "a line not written by serve: \(line)")
            }
            #expect(log.contains(#"night\nshift 2026-12-01T00:00:00+0000 error smspartner-notify: FORGED \x1B[31mred\x1B[0m"#), "\(log)")
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("a body that is not UTF-8 is called a request body, not standard input")
    func anHTTPBodyIsNotStandardInput() async throws {
        try await withFake { fake in
            let serve = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            let response = try await serve.post("/alert", Data([0x7B, 0x22, 0x68, 0x6F, 0x73, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]))
            #expect(response.status == 400, "\(response.bodyText)")
            #expect(!response.bodyText.contains("standard input"), "\(response.bodyText)")
            #expect(response.bodyText.contains("body"), "\(response.bodyText)")
            #expect(await serve.stop() == 0)
            #expect(!serve.stderr.contains("standard input"))
        }
    }

    @Test("a second serve on a port in use exits 71 (EX_OSERR) saying so, not 69")
    func anAddressInUseExits71() async throws {
        try await withFake { fake in
            let first = try await ServeProcess(arguments: ["--to", Self.oncall], env: fake.env)
            let scratch = try TemporaryDirectory()
            defer { scratch.remove() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binaryPath)
            process.arguments = ["serve", "--listen", "127.0.0.1:\(first.port)", "--to", Self.oncall]
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": scratch.root, "SMSPARTNER_STATE_DIR": scratch.path("state")]
                .merging(fake.env) { _, new in new }
            let stderrPath = try scratch.write("stderr", "")
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try process.run()
            let exited = await ServeProcess.eventually(.seconds(30)) { !process.isRunning }
            if !exited { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            #expect(exited && process.terminationStatus == 71, "exit \(process.terminationStatus): \(stderr)")
            #expect(stderr.hasSuffix("smspartner-notify: cannot listen on 127.0.0.1:\(first.port): address already in use\n"), "\(stderr)")
            #expect(try await first.request(.get, "/healthz").status == 200, "the first one is unharmed")
            #expect(await first.stop() == 0)
        }
    }
}
