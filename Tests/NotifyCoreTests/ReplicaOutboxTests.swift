import AlertModel
import Foundation
import NotifyState
import NotifyStatePostgres
import SMSPartner
import SMSPartnerTesting
import SMSText
import Synchronization
import TestSupport
import Testing

@testable import NotifyCore

/// Several replicas' outboxes on one PostgreSQL database, each with its own store (its own
/// connection pool) and claim owner, deciding and delivering at the same time through the real
/// libcurl client to the fake SMSPartner: what `serve` replicas behind an Alertmanager HA pair
/// do with every notification.
@Suite struct ReplicaOutboxTests {
    static let replicas = 3

    /// `count` outboxes on one new database, as `count` replicas would open it.
    static func outboxes(_ count: Int, settings: PolicySettings) throws -> [Outbox] {
        let cluster = try PostgresCluster.shared()
        let (_, url) = try cluster.createUniqueDatabase()
        let location = try PostgresLocation(url: url + "?sslmode=disable")
        return (0..<count).map { index in
            Outbox(store: PostgresStateStore(location, password: cluster.password), policy: Policy(settings: settings),
                   digests: DigestComposer(renderer: MessageRenderer()), owner: "replica-\(index)", tagPrefix: nil,
                   now: { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) })
        }
    }

    static func candidate(_ index: Int, to numbers: [String]) throws -> AlertCandidate {
        let alert = Alert(source: .generic, summary: "alert \(index) on web\(index)", dedupKey: "key:\(index)")
        let notification = Notification(single: alert)
        return AlertCandidate(notification: notification, rendered: MessageRenderer().render(notification),
                              recipients: try numbers.map { try PhoneNumber(parsing: $0) }, dedupKey: notification.dedupKey)
    }

    @Test func everyReplicaAdmittingEveryAlertAndAllFlushingAtOnceSendEachOnce() async throws {
        let fake = try await FakeSMSPartner.start()
        do {
            let outboxes = try Self.outboxes(Self.replicas, settings: PolicySettings(rateLimits: [], hourlyCap: nil, dailyCap: nil))
            let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "test")
            let sender = Delivery(client: client, policy: RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20),
                                                                     attemptTimeout: .seconds(10), minimumAttempt: .milliseconds(100)))
            let alerts = 40
            let numbers = ["+33612345678", "+33698765432"]
            let failures = Mutex<[String]>([])
            try await OwnThread.run {
                // Each replica is given every alert (each Alertmanager posts to every replica),
                // and flushes while the others still admit.
                DispatchQueue.concurrentPerform(iterations: Self.replicas * 2) { job in
                    let outbox = outboxes[job % Self.replicas]
                    do {
                        if job < Self.replicas {
                            for index in 0..<alerts {
                                _ = try outbox.admit(try Self.candidate(index, to: numbers), lease: nil)
                            }
                        } else {
                            for _ in 0..<20 {
                                _ = try outbox.flush(sender: sender, within: .seconds(5), lease: .seconds(30))
                            }
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
                // Then until nothing is left (on a loaded machine an admission may come after
                // the last concurrent flush).
                let deadline = ContinuousClock.now + .seconds(60)
                var round = 0
                while ContinuousClock.now < deadline {
                    let outbox = outboxes[round % Self.replicas]
                    round += 1
                    let report = try outbox.flush(sender: sender, within: .seconds(10), lease: .seconds(30))
                    let queued = try outbox.store.read { (reader) throws(StateError) in
                        try reader.statusSnapshot(now: Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)), windows: [],
                                                  latest: 0).queued
                    }
                    if queued == 0 { break }
                    _ = report
                    Thread.sleep(forTimeInterval: 0.2)
                }
            }
            #expect(failures.withLock { $0 } == [])
            // One SMS per alert and number, whichever replica sent it.
            let sent = fake.acceptedMessages.flatMap { message in message.numbers.map { "\($0) \(message.body.message ?? "")" } }
            #expect(sent.count == alerts * numbers.count)
            #expect(Set(sent).count == sent.count, "nothing twice")
            let snapshot = try await OwnThread.run {
                try outboxes[0].store.read { (reader) throws(StateError) in
                    try reader.statusSnapshot(now: Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)),
                                              windows: [.seconds(3600)], latest: 0)
                }
            }
            #expect(snapshot.queued == 0)
            #expect(snapshot.windows.first?.sent == alerts * numbers.count)
            #expect(snapshot.windows.first?.suppressed[.duplicate] == alerts * numbers.count * (Self.replicas - 1))
            try await fake.shutdown()
        } catch {
            try? await fake.shutdown()
            throw error
        }
    }
    /// An SMS SMSPartner took while PostgreSQL restarted: its outcome is recorded once the server
    /// is back (``Outbox/recordPersistence``), not dropped, which would leave the delivery
    /// claimed until its lease ran out and then asked about by tag.
    @Test func anOutcomeLearnedWhileTheDatabaseRestartsIsRecordedOnceItIsBack() async throws {
        let fake = try await FakeSMSPartner.start()
        do {
            try await OwnThread.run {
                let cluster = try PostgresCluster()
                defer { cluster.shutdown() }
                let store = PostgresStateStore(try PostgresLocation(url: cluster.url + "?sslmode=disable"), password: cluster.password,
                                               busyTimeout: .seconds(2))
                let outbox = Outbox(store: store, policy: Policy(settings: PolicySettings(rateLimits: [], hourlyCap: nil, dailyCap: nil)),
                                    digests: DigestComposer(renderer: MessageRenderer()), owner: "replica-0", tagPrefix: nil,
                                    now: { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) })
                let client = SMSPartnerClient(apiKey: APIKey(FakeSMSPartner.defaultAPIKey)!, baseURL: fake.baseURL, userAgent: "test")
                let sender = Delivery(client: client, policy: RetryPolicy(initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20),
                                                                         attemptTimeout: .seconds(10), minimumAttempt: .milliseconds(100)))
                _ = try outbox.admit(try Self.candidate(1, to: ["+33612345678"]), lease: nil)
                // SMSPartner answers after 1.5 s; the server is stopped while it thinks.
                fake.setLatency(.milliseconds(1500))
                let flushed = Mutex<Result<FlushReport, StateError>?>(nil)
                let done = DispatchGroup()
                DispatchQueue.global().async(group: done) {
                    let result = Result { () throws(StateError) in try outbox.flush(sender: sender, within: .seconds(20), lease: .seconds(120)) }
                    flushed.withLock { $0 = result }
                }
                let asked = ContinuousClock.now + .seconds(10)
                while fake.requests.isEmpty && ContinuousClock.now < asked { Thread.sleep(forTimeInterval: 0.01) }
                try #require(!fake.requests.isEmpty, "the SMS was sent")
                cluster.stop()
                Thread.sleep(forTimeInterval: 2)
                try cluster.restart()
                done.wait()
                let sent = (try? flushed.withLock { $0 }?.get())?.results.filter { $0.outcome.isSent }.count
                #expect(sent == 1, "the flush reported it sent: \(String(describing: flushed.withLock { $0 }))")
                #expect(try cluster.psql("SELECT state || ' ' || coalesce(lease_owner, '-') FROM delivery", database: cluster.database) == "sent -")
                #expect(fake.acceptedMessages.count == 1)
            }
            try await fake.shutdown()
        } catch {
            try? await fake.shutdown()
            throw error
        }
    }
}
