import Foundation
import SMSPartner
import SMSPartnerTesting
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Several `serve` replicas (the real binary) sharing one PostgreSQL database (`state: backend:
// postgres`, TestSupport's private cluster), in front of the fake SMSPartner and real
// Alertmanagers: decisions serialized across replicas (one SMS per notification however many
// replicas get it), a replica killed with claims in hand (its lease runs out, SMSPartner is
// asked by tag before anything is sent again), and PostgreSQL going away and coming back (503
// meanwhile, nothing lost once it is back). Without PostgreSQL the suite fails, unless
// SMSPARTNER_SKIP_POSTGRES=1; without Alertmanager its first test fails, unless
// SMSPARTNER_SKIP_ALERTMANAGER=1.

/// A database of its own on a PostgreSQL cluster, and the one configuration every replica
/// runs with: the state there, Basic credentials for the webhooks, `sms-oncall` mapped to
/// ``ReplicaTests/oncall``, no rate limit nor cap (this is about the outbox, not the policy),
/// and the shortest lease the settings allow (`timeout: 2`, `lookup_delay: 1s`: 2 s of budget
/// + 10 s for the last attempt + 15 s, 27 s), with queued SMS retried after 1 s.
struct ReplicaDatabase: Sendable {
    let cluster: PostgresCluster
    let name: String
    let dir: TemporaryDirectory
    let config: String
    /// The Basic password of the user `alertmanager` (the file Alertmanager reads).
    let webhookPasswordFile: String
    let webhookPassword: String

    init(on cluster: PostgresCluster) async throws {
        self.cluster = cluster
        name = try await OwnThread.run { try cluster.createUniqueDatabase(prefix: "replicas").name }
        dir = try TemporaryDirectory(prefix: "replicas")
        webhookPassword = "am-\(UUID().uuidString)"
        webhookPasswordFile = try dir.write("webhook-password", webhookPassword + "\n")
        config = try dir.write("config.yml", """
            serve:
              basic_auth:
                username: alertmanager
                password_file: \(webhookPasswordFile)
            receivers:
              sms-oncall: ["\(ReplicaTests.oncall)"]
            state:
              backend: postgres
              url: \(cluster.url(database: name))?sslmode=disable
              password_file: \(cluster.passwordFile)
            rate_limits: []
            hourly_cap: off
            daily_cap: off
            timeout: 2
            retry_delay: 1s
            lookup_delay: 1s
            """)
    }

    /// A `serve` replica on this database (a free port), once `/healthz` says it can write.
    func startReplica(_ fake: FakeSMSPartner) async throws -> ServeProcess {
        let serve = try await ServeProcess(arguments: ["--config", config], env: fake.env)
        let healthy = await ServeProcess.eventually(.seconds(20)) {
            (try? CurlHTTPClient(userAgent: "e2e").perform(HTTPRequest(method: .get, url: serve.baseURL + "/healthz", timeout: .seconds(5))))?.status == 200
        }
        try #require(healthy, "replica on :\(serve.port) never healthy:\n\(serve.stderr)")
        return serve
    }

    /// `sql` as the superuser in this database: one row a line, columns separated by `|`.
    func query(_ sql: String) async throws -> String {
        try await OwnThread.run { [cluster, name] in try cluster.psql(sql, database: name) }
    }

    /// How many deliveries are in each state.
    func deliveryStates() async throws -> [String: Int] {
        let rows = try await query("SELECT state, count(*) FROM delivery GROUP BY state")
        var states: [String: Int] = [:]
        for row in rows.split(separator: "\n") {
            let columns = row.split(separator: "|")
            if columns.count == 2, let count = Int(columns[1]) { states[String(columns[0])] = count }
        }
        return states
    }

    /// How many deliveries are still on their way (queued, claimed, or of unknown outcome); nil
    /// when the database cannot be read.
    func unfinished() async -> Int? {
        (try? await query("SELECT count(*) FROM delivery WHERE state IN ('pending', 'sending', 'unknown')")).flatMap { Int($0) }
    }

    /// The IDs of the deliveries that the replica `pid` has claimed and not finished.
    func claims(of pid: pid_t) async throws -> [Int64] {
        let rows = try await query("SELECT id FROM delivery WHERE state = 'sending' AND lease_owner LIKE '%:\(pid):%' ORDER BY id")
        return rows.split(separator: "\n").compactMap { Int64($0) }
    }

    /// Basic credentials for ``webhookPassword``.
    var authorization: String { ServeTests.basicAuthorization(webhookPassword) }

    /// Posts an Alertmanager webhook to `replica`: its status, 0 when no answer came (refused,
    /// reset, timed out).
    func post(_ body: Data, to replica: ServeProcess, timeout: Duration = .seconds(10)) async -> Int {
        let request = HTTPRequest(
            method: .post, url: replica.baseURL + "/alertmanager", headers: ["Content-Type: application/json", authorization],
            body: [UInt8](body), connectTimeout: .seconds(2), timeout: timeout)
        return (try? await ServeProcess.request(request))?.status ?? 0
    }

    /// `GET /healthz` of `replica`: its status, 0 when no answer came.
    static func health(_ replica: ServeProcess) async -> Int {
        (try? await ServeProcess.request(HTTPRequest(method: .get, url: replica.baseURL + "/healthz", timeout: .seconds(10))))?.status ?? 0
    }

    func remove() { dir.remove() }
}

/// What the load of a test did: each alert's answers, in order, per replica port; and which
/// replicas are gone (their ports).
final class LoadRecord: Sendable {
    private let state = Mutex<[String: [(port: Int, status: Int)]]>([:])
    private let gone = Mutex<Set<Int>>([])
    private let slowest = Mutex<[(alert: String, port: Int, status: Int, sent: Duration, took: Duration)]>([])
    private let started = ContinuousClock.now

    func markGone(_ replica: ServeProcess) { _ = gone.withLock { $0.insert(replica.port) } }
    func isGone(_ replica: ServeProcess) -> Bool { gone.withLock { $0.contains(replica.port) } }

    func add(_ alert: String, port: Int, status: Int) {
        state.withLock { $0[alert, default: []].append((port, status)) }
    }

    /// Posts `alert` with `post` and records its answer, with when it was sent (since this
    /// record began) and how long the answer took, for ``slowAnswers``.
    func post(_ alert: String, to replica: ServeProcess, _ post: () async -> Int) async -> Int {
        let sent = ContinuousClock.now
        let status = await post()
        let took = ContinuousClock.now - sent
        add(alert, port: replica.port, status: status)
        slowest.withLock {
            $0.append((alert, replica.port, status, sent - started, took))
            $0.sort { $0.took > $1.took }
            if $0.count > 5 { $0.removeLast() }
        }
        return status
    }

    /// How long since this record began.
    var elapsed: Duration { ContinuousClock.now - started }

    /// The five slowest answers: alert, replica, status, when it was sent and how long it took.
    var slowAnswers: String {
        slowest.withLock { $0.map { "\($0.alert)@:\($0.port) \($0.status) sent at \($0.sent) took \($0.took)" }.joined(separator: "; ") }
    }

    var answers: [String: [(port: Int, status: Int)]] { state.withLock { $0 } }
    /// The alerts some replica answered 200.
    var accepted: Set<String> { Set(answers.filter { $0.value.contains { $0.status == 200 } }.keys) }
    var count: Int { state.withLock { $0.values.count { $0.contains { $0.status == 200 } } } }
}

/// Each test has a database of its own (the restart test a cluster of its own), its own fake
/// and its own replicas: they run side by side, so that their waits (Alertmanager's group
/// intervals, a dead replica's 27 s lease) overlap. The kill -9 test holds the ``LoadGate``.
@Suite(
    "serve replicas on one PostgreSQL",
    .disabled(if: PostgresCluster.skipRequested, "SMSPARTNER_SKIP_POSTGRES=1"),
    .timeLimit(.minutes(3)))
struct ReplicaTests {
    static let oncall = "+33611111111"

    /// The SMS texts the fake took (without the time stamp of a late one).
    static func texts(_ fake: FakeSMSPartner) -> [String] {
        fake.deliveredMessages.compactMap(\.message?.withoutTimeStamp)
    }

    /// The alert `name` of ``ServeTests/webhook(group:count:status:receiver:labels:)``, as its SMS says it.
    static func mention(_ name: String) -> String { "HostDown \(name)-0.example.net " }

    /// Whether the process `pid` is stopped (SIGSTOP): its state in `/proc/PID/stat`.
    static func isStopped(_ pid: pid_t) -> Bool {
        ServeProcess.state(of: pid).map { ["T", "t"].contains($0) } ?? false
    }

    /// How many SMS mention each of `names`.
    static func deliveries(of names: some Sequence<String>, in texts: [String]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: names.map { name in (name, texts.count { $0.contains(Self.mention(name)) }) })
    }

    /// Two real Alertmanagers, one after the other (clustered, then partitioned).
    @Suite("behind an Alertmanager HA pair", .serialized,
           .disabled(if: AlertmanagerProcess.skipRequested, "SMSPARTNER_SKIP_ALERTMANAGER=1"))
    struct HAPair {
        /// Clustered, the pair shares its notification log and mostly posts once (to both
        /// replicas); partitioned, each of the pair posts every notification to both replicas:
        /// four posts at once, and the replicas decide one at a time on the shared store.
        @Test("two serve replicas on one PostgreSQL behind an Alertmanager HA pair: one SMS per notification", arguments: [true, false])
        func haPairToTwoReplicas(clustered: Bool) async throws {
            try #require(PostgresCluster.isInstalled, "\(PostgresCluster.installHint)")
            try #require(FileManager.default.isExecutableFile(atPath: AlertmanagerProcess.binary),
                         "\(AlertmanagerProcess.binary) not found: apt-get install prometheus-alertmanager (CI installs it), or set SMSPARTNER_SKIP_ALERTMANAGER=1")
            let cluster = try await OwnThread.run { try PostgresCluster.shared() }
            let database = try await ReplicaDatabase(on: cluster)
            defer { database.remove() }
            try await withFake { fake in
                // Started together: they create the schema together (one migrates, under its lock).
                async let startedFirst = database.startReplica(fake)
                async let startedSecond = database.startReplica(fake)
                let (first, second) = try await (startedFirst, startedSecond)
                let webhooks = [first, second].map { $0.baseURL + "/alertmanager" }
                func logs() -> String { "first replica:\n\(first.stderr)\nsecond replica:\n\(second.stderr)" }
                let answered: [Int]
                let texts: [String]
                do {
                    let (p1, p2) = (try RawConnection.freePort(), try RawConnection.freePort())
                    // Each of the pair posts every notification it sends to both replicas.
                    let alertmanagers = [
                        try await AlertmanagerProcess(webhook: webhooks[0], alsoTo: [webhooks[1]], passwordFile: database.webhookPasswordFile,
                                                      clusterPort: clustered ? p1 : nil, peers: [p2]),
                        try await AlertmanagerProcess(webhook: webhooks[1], alsoTo: [webhooks[0]], passwordFile: database.webhookPasswordFile,
                                                      clusterPort: clustered ? p2 : nil, peers: [p1]),
                    ]
                    try await Task.sleep(for: .seconds(2))  // let them find each other
                    func allLogs() -> String {
                        logs() + "\n" + alertmanagers.enumerated().map { "alertmanager \($0.offset):\n\($0.element.log)" }.joined(separator: "\n")
                    }
                    // As in AlertmanagerTests.haPair: Prometheus sends each alert, with the time it
                    // became active, to both of the pair, now.
                    let startsAt = Date()
                    let alerts = [(name: "HostDown", instance: "rep1"), (name: "HostDown", instance: "rep2")]
                    for alertmanager in alertmanagers { try await alertmanager.post(alerts, startsAt: startsAt) }
                    #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 1 }, "\(allLogs())")
                    // Long enough for the second of the pair (peer timeout 2 s) and a few group intervals.
                    try await Task.sleep(for: .seconds(5))
                    #expect(fake.deliveredMessages.count == 1, "\(ReplicaTests.texts(fake))")
                    for alertmanager in alertmanagers { try await alertmanager.post(alerts, resolved: true, startsAt: startsAt) }
                    #expect(await ServeProcess.eventually(.seconds(15)) { fake.deliveredMessages.count == 2 }, "\(allLogs())")
                    try await Task.sleep(for: .seconds(5))
                    texts = ReplicaTests.texts(fake)
                    #expect(texts.map { String($0.prefix(8)) } == ["FIRING [", "RESOLVED"], "\(texts)\n\(allLogs())")
                    #expect(fake.deliveredMessages.allSatisfy { $0.numbers == [ReplicaTests.oncall] })

                    // Both replicas were posted every notification, and took each one (200).
                    answered = [first, second].map { $0.stderr.components(separatedBy: "/alertmanager → 200").count - 1 }
                    let refused = [first, second].map { $0.stderr.components(separatedBy: "/alertmanager → ").count - 1 }.reduce(0, +)
                        - answered.reduce(0, +)
                    #expect(answered.allSatisfy { $0 >= 2 }, "each replica got the firing and the resolved notification: \(answered)\n\(allLogs())")
                    if !clustered {
                        #expect(answered.allSatisfy { $0 >= 4 }, "each replica got each notification from each of the pair: \(answered)\n\(allLogs())")
                    }
                    #expect(refused == 0, "\(allLogs())")
                    #expect(alertmanagers.allSatisfy { !$0.log.contains("Notify for alerts failed") }, "\(allLogs())")
                    withExtendedLifetime(alertmanagers) {}
                }  // the Alertmanagers are stopped (SIGTERM by PID, waited for): nothing more is posted

                // Neither crashed; stopped, each has written the history of what it answered from a read.
                #expect(first.process.isRunning && second.process.isRunning, "\(logs())")
                #expect(await first.stop() == 0, "\(first.stderr)")
                #expect(await second.stop() == 0, "\(second.stderr)")
                // One delivery sent per notification; every other post's decision a duplicate (or
                // stale, recorded as one), whichever replica took it.
                let states = try await database.deliveryStates()
                #expect(states["sent"] == 2, "\(states)")
                #expect(states.keys.allSatisfy { ["sent", "duplicate"].contains($0) }, "\(states)")
                #expect(states["duplicate", default: 0] == answered.reduce(0, +) - 2, "\(states); 200s: \(answered)")
                print("[replicas] \(clustered ? "clustered" : "partitioned") HA pair → two replicas: \(answered) webhooks answered 200, deliveries \(states), SMS \(texts.count)")
            }
        }
    }

    @Test("kill -9 of one replica under load: nothing accepted is lost, nothing duplicated beyond the in-flight window")
    func killOneReplicaUnderLoad() async throws {
        try #require(PostgresCluster.isInstalled, "\(PostgresCluster.installHint)")
        let cluster = try await OwnThread.run { try PostgresCluster.shared() }
        let database = try await ReplicaDatabase(on: cluster)
        defer { database.remove() }
        try await withFake { fake in try await LoadGate.shared.with(exclusive: false) {
            // A provider that answers slowly: a worker holds its claims for a while.
            fake.setLatency(.milliseconds(100))
            async let startedDoomed = database.startReplica(fake)
            async let startedSurvivor = database.startReplica(fake)
            let (doomed, survivor) = try await (startedDoomed, startedSurvivor)
            let doomedPID = doomed.process.processIdentifier
            let alerts = (0..<60).map { "load\($0)" }
            let record = LoadRecord()
            // Four lanes post the alerts, each to the replicas in turn (the survivor once the
            // other is gone); what the killed replica did not answer 200 is posted again to the
            // survivor, as Alertmanager would through a load balancer, until it answers 200.
            async let lanes: Void = withTaskGroup(of: Void.self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        for (index, alert) in alerts.enumerated() where index % 4 == lane {
                            let body = ServeTests.webhook(group: alert)
                            var target = index % 2 == 0 && !record.isGone(doomed) ? doomed : survivor
                            for _ in 0..<20 {
                                let status = await database.post(body, to: target)
                                record.add(alert, port: target.port, status: status)
                                if status == 200 { break }
                                target = survivor
                                try? await Task.sleep(for: .milliseconds(200))
                            }
                        }
                    }
                }
            }
            // Midway, once the doomed replica holds claims (deliveries in hand): kill -9. It is
            // frozen (SIGSTOP) while its claims are read, so that they are still its claims
            // when it dies; none yet, it runs on a little.
            _ = await ServeProcess.eventually(.seconds(20)) { record.count >= alerts.count / 3 }
            let deadline = ContinuousClock.now + .seconds(15)
            var held: [Int64] = []
            while true {
                kill(doomedPID, SIGSTOP)
                _ = await ServeProcess.eventually(.seconds(2)) { Self.isStopped(doomedPID) }
                held = (try? await database.claims(of: doomedPID)) ?? []
                if !held.isEmpty || ContinuousClock.now >= deadline { break }
                kill(doomedPID, SIGCONT)
                try await Task.sleep(for: .milliseconds(10))
            }
            kill(doomedPID, SIGKILL)
            record.markGone(doomed)
            doomed.process.waitUntilExit()
            let acceptedAtKill = record.count
            let deliveredAtKill = fake.deliveredMessages.count
            // Nothing else finishes them until their lease runs out: what it held at its death
            // (a claim it had just committed, not seen while it was frozen, shows now).
            let inFlight = Set(held).union(try await database.claims(of: doomedPID)).sorted()
            await lanes

            let accepted = record.accepted
            #expect(accepted == Set(alerts), "every alert is taken in the end: \(record.answers.filter { !accepted.contains($0.key) })")
            let survivorRefusals = record.answers.values.flatMap { $0 }.filter { $0.port == survivor.port && $0.status != 200 }
            #expect(survivorRefusals.isEmpty, "the survivor answered: \(survivorRefusals)\n\(survivor.stderr)")
            // Everything is delivered, what the dead replica held too once its lease ran out
            // (27 s), and nothing is left on the way.
            let done = await ServeProcess.eventually(.seconds(60)) {
                let delivered = Self.deliveries(of: accepted, in: Self.texts(fake))
                return delivered.values.allSatisfy { $0 > 0 }
            }
            var left: Int?
            for _ in 0..<120 {
                left = await database.unfinished()
                if left == 0 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            try await Task.sleep(for: .seconds(1))  // anything sent late would show now
            let texts = Self.texts(fake)
            let delivered = Self.deliveries(of: accepted, in: texts)
            let lost = delivered.filter { $0.value == 0 }.keys.sorted()
            let duplicated = delivered.filter { $0.value > 1 }
            let duplicates = duplicated.values.reduce(0) { $0 + $1 - 1 }
            let lookups = fake.requests.filter { $0.path == "/v1/bulk-status-by-tag" }.count
            #expect(done && lost.isEmpty, "lost: \(lost)\nsurvivor:\n\(survivor.stderr)")
            let statesLeft = (try? await database.deliveryStates()) ?? [:]
            #expect(left == 0, "still on the way: \(left.map(String.init) ?? "?") \(statesLeft)")
            #expect(texts.count == delivered.values.reduce(0, +), "nothing else was sent: \(texts)")
            // At most what it had in flight is sent twice; and not even that: each claim it held
            // came back unknown when its lease ran out, and SMSPartner was asked by its tag first.
            #expect(duplicates <= inFlight.count, "sent twice: \(duplicated); \(inFlight.count) in flight at the kill")
            #expect(duplicated.isEmpty, "sent twice: \(duplicated); \(inFlight.count) in flight at the kill")
            // The kill landed where it means something: the replica held claims.
            #expect(!inFlight.isEmpty, "the doomed replica held no claim when it was killed\n\(doomed.stderr)")
            if !inFlight.isEmpty {
                #expect(lookups > 0, "its claims were asked about by tag before anything was sent again")
                let finished = try await database.query("SELECT DISTINCT state FROM delivery WHERE id IN (\(inFlight.map(String.init).joined(separator: ",")))")
                #expect(finished == "sent", "what it held ends sent: \(finished)")
            }
            let states = try await database.deliveryStates()
            #expect(states["sent"] == alerts.count, "one delivery sent per alert: \(states)")
            #expect(states.keys.allSatisfy { ["sent", "duplicate"].contains($0) }, "\(states)")

            #expect(doomed.process.terminationReason == .uncaughtSignal && doomed.process.terminationStatus == SIGKILL)
            #expect(survivor.process.isRunning, "the survivor did not crash: \(survivor.stderr)")
            #expect(await survivor.stop() == 0, "\(survivor.stderr)")
            print("[replicas] kill -9 under load: \(acceptedAtKill) of \(alerts.count) alerts accepted at the kill, \(deliveredAtKill) SMS delivered by then, \(inFlight.count) deliveries in the dead replica's hands, \(lookups) tag lookups, \(texts.count) SMS in all, \(duplicates) duplicate(s); deliveries \(states)")
        } }
    }

    @Test("PostgreSQL restarted mid-load: 503 while it is down, then everything accepted is delivered once")
    func databaseRestartedMidLoad() async throws {
        try #require(PostgresCluster.isInstalled, "\(PostgresCluster.installHint)")
        // A cluster of its own: it is stopped and restarted.
        let cluster = try await OwnThread.run { try PostgresCluster() }
        defer { cluster.shutdown() }
        let database = try await ReplicaDatabase(on: cluster)
        defer { database.remove() }
        try await withFake { fake in
            async let startedFirst = database.startReplica(fake)
            async let startedSecond = database.startReplica(fake)
            let replicas = try await [startedFirst, startedSecond]
            let alerts = (0..<40).map { "pg\($0)" }
            let record = LoadRecord()
            // One lane per replica, as one Alertmanager per replica would: each alert posted
            // until it is answered 200 (every 250 ms), then the next.
            async let lanes: Void = withTaskGroup(of: Void.self) { group in
                for (lane, replica) in replicas.enumerated() {
                    group.addTask {
                        let deadline = ContinuousClock.now + .seconds(60)
                        for (index, alert) in alerts.enumerated() where index % replicas.count == lane {
                            let body = ServeTests.webhook(group: alert)
                            while ContinuousClock.now < deadline {
                                let status = await record.post(alert, to: replica) { await database.post(body, to: replica) }
                                if status == 200 { break }
                                try? await Task.sleep(for: .milliseconds(250))
                            }
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
            func logs() -> String {
                replicas.enumerated().map { "replica \($0.offset):\n\($0.element.stderr)" }.joined(separator: "\n")
                    + "\npostgres:\n\(cluster.logTail(lines: 20))"
            }

            var phases: [String] = []
            func phase(_ name: String) { phases.append("\(name) \(record.elapsed)") }
            _ = await ServeProcess.eventually(.seconds(20)) { record.count >= 10 }
            phase("stop")
            try await OwnThread.run { cluster.stop() }
            let acceptedBeforeStop = record.count
            // A new alert now: refused for a retry (503), not taken, not a failure (500).
            let probe = ServeTests.webhook(group: "pg-probe")
            let whileDown = await database.post(probe, to: replicas[0])
            #expect(whileDown == 503, "\(logs())")
            for replica in replicas {
                #expect(await ServeHostileClientTests.eventually(.seconds(15)) { await ReplicaDatabase.health(replica) == 503 },
                        "/healthz of :\(replica.port) says 503 while PostgreSQL is down\n\(logs())")
            }
            try await Task.sleep(for: .seconds(1))
            let refusedWhileDown = Set(record.answers.filter { $0.value.contains { $0.status == 503 } }.keys)
            #expect(!refusedWhileDown.isEmpty, "the load met the outage: \(record.answers)")

            phase("restart")
            try await OwnThread.run { try cluster.restart() }
            for replica in replicas {
                #expect(await ServeHostileClientTests.eventually(.seconds(15)) { await ReplicaDatabase.health(replica) == 200 },
                        "/healthz of :\(replica.port) back to 200 once PostgreSQL is back\n\(logs())")
            }
            // The probe again, as Alertmanager retries it: taken now.
            var probeStatus = 0
            for _ in 0..<40 where probeStatus != 200 {
                probeStatus = await database.post(probe, to: replicas[0])
                if probeStatus != 200 { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(probeStatus == 200, "\(logs())")
            phase("healthy")
            // And what is taken now goes out: no worker is left waiting on a connection that
            // the restart broke.
            #expect(await ServeProcess.eventually(.seconds(15)) { Self.texts(fake).contains { $0.contains(Self.mention("pg-probe")) } },
                    "the alert taken once PostgreSQL was back was not delivered within 15 s\n\(logs())")
            phase("probe delivered")
            await lanes
            phase("load done")
            // What the outage left on the way, for the summary: a claim of a worker whose store
            // failed under it stays claimed until its lease runs out (27 s here), then
            // SMSPartner is asked by its tag.
            let onTheWay = (try? await database.query("""
                SELECT d.state, d.attempts, m.text FROM delivery d JOIN message m ON m.id = d.message_id
                WHERE d.state IN ('pending', 'sending', 'unknown') ORDER BY d.id
                """)) ?? "?"

            let accepted = record.accepted
            #expect(accepted == Set(alerts), "every alert is taken in the end: \(record.answers.filter { !accepted.contains($0.key) })")
            let statuses = Set(record.answers.values.flatMap { $0.map(\.status) })
            #expect(statuses.isSubset(of: [200, 503]), "only 200 and 503 (\(statuses)); slowest: \(record.slowAnswers); phases: \(phases)\n\(logs())")
            // Everything taken is delivered once, the 503'd alerts too (after their retry).
            let expected = accepted.union(["pg-probe"])
            let done = await ServeProcess.eventually(.seconds(30)) {
                Self.deliveries(of: expected, in: Self.texts(fake)).values.allSatisfy { $0 > 0 }
            }
            // A delivery the worker had in hand when the server went away finishes too (at
            // worst when its lease runs out: asked by tag, not sent again).
            phase("delivered")
            var left: Int?
            for _ in 0..<120 {
                left = await database.unfinished()
                if left == 0 { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            phase("settled")
            try await Task.sleep(for: .seconds(1))
            let texts = Self.texts(fake)
            let delivered = Self.deliveries(of: expected, in: texts)
            #expect(done, "lost: \(delivered.filter { $0.value == 0 }.keys.sorted())\n\(logs())")
            #expect(delivered.filter { $0.value != 1 }.isEmpty, "not delivered exactly once: \(delivered.filter { $0.value != 1 })")
            #expect(texts.count == expected.count, "nothing else was sent: \(texts)")
            #expect(left == 0, "still on the way: \(left.map(String.init) ?? "?")")
            let states = try await database.deliveryStates()
            #expect(states["sent"] == expected.count, "\(states)")

            // Neither replica crashed; both stop on SIGTERM.
            for replica in replicas {
                #expect(replica.process.isRunning, "replica :\(replica.port) is still running\n\(logs())")
                #expect(await replica.stop() == 0, "\(replica.stderr)")
            }
            print("[replicas] PostgreSQL restarted mid-load: \(acceptedBeforeStop) of \(alerts.count) alerts accepted before the stop, \(refusedWhileDown.count) refused (503) while it was down and taken after, \(texts.count) SMS; deliveries \(states); on the way once the load was done: [\(onTheWay.replacingOccurrences(of: "\n", with: "; "))]; \(phases.joined(separator: ", ")); slowest answers: \(record.slowAnswers)")
        }
    }
}
