import AlertModel
import Foundation
import Logging
import NotifyCore
import NotifyState
import SMSPartner
import SMSText
import Synchronization
import TestSupport
import Testing

@testable import NotifyServer

/// Repeated webhooks answered from memory: only while the store is unchanged and the
/// deliveries they repeat are inside the dedup window.
@Suite struct ReplayCacheTests {
    static let oncall = "+33611111111"

    /// A wall clock the test moves.
    final class TestClock: Sendable {
        private let time = Mutex(Timestamp.now())
        var now: Timestamp { time.withLock { $0 } }
        func advance(_ duration: Duration) { time.withLock { $0 = $0 + duration } }
    }

    /// An intake as `serve` has it (a store with concurrent reads, a recorder), on a clock the
    /// test moves.
    func withServer(replays: ReplayCache = ReplayCache(),
                    _ body: (WebhookIntake, SQLiteStateStore, DuplicateRecorder, TestClock) async throws -> Void) async throws {
        let scratch = try TemporaryDirectory(prefix: "replay")
        defer { scratch.remove() }
        let dir = scratch.root
        let store = try SQLiteStateStore(directory: dir, busyTimeout: .milliseconds(500), concurrentReads: true)
        let configuration = try Configuration.parse(yaml: "dedup_window: 10m\n", path: "test.yml")
        let settings = Settings(configuration: configuration, apiURL: "http://127.0.0.1:9/v1", environment: [:])
        let runtime = try ServerRuntime(store: store, stateDirectory: dir, defaults: [try PhoneNumber(parsing: Self.oncall)]) {
            (settings, APIKey("k")!, Credentials.none)
        }
        let clock = TestClock()
        var snapshot = runtime.snapshot
        snapshot.outbox.now = { clock.now }
        snapshot.replays = replays
        let recorder = DuplicateRecorder(runtime: runtime, logger: Logger(label: "test"))
        try await body(WebhookIntake(snapshot: snapshot, recorder: recorder), store, recorder, clock)
    }

    /// One alert instance of `WebhookIntakeTests`, firing or resolved.
    static func webhook(_ status: String = "firing") -> [UInt8] {
        WebhookIntakeTests.instance(status: status, startsAt: "2026-12-01T10:00:00Z")
    }

    @Test func aRetryIsAnsweredFromMemoryUntilSomethingIsCommitted() async throws {
        try await withServer { intake, store, recorder, _ in
            let replays = intake.snapshot.replays
            #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["queued"])
            #expect(replays.count == 0, "news is never kept")
            let copy = intake.alertmanager(Self.webhook())
            #expect(copy.decisions.map(\.decision) == ["duplicate"])
            #expect(replays.count == 1 && replays.hits == 0)
            #expect(intake.alertmanager(Self.webhook()) == copy)
            #expect(intake.alertmanager(Self.webhook()) == copy)
            #expect(replays.hits == 2)
            #expect(recorder.backlog == 3, "every copy is recorded, the ones answered from memory too")
            await recorder.record()

            // Recording the copies is a commit: the next copy is read again, and kept again.
            #expect(intake.alertmanager(Self.webhook()) == copy)
            #expect(replays.hits == 2)
            #expect(intake.alertmanager(Self.webhook()) == copy)
            #expect(replays.hits == 3)

            // The alert resolves: its late firing copy is stale now, not the duplicate kept.
            #expect(intake.alertmanager(Self.webhook("resolved")).decisions.map(\.decision) == ["queued"])
            #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["stale"])
            #expect(replays.hits == 3)
            _ = store
        }
    }

    @Test func anotherProcessCommittingMakesTheAnswerBeReadAgain() async throws {
        try await withServer { intake, store, _, _ in
            let replays = intake.snapshot.replays
            _ = intake.alertmanager(Self.webhook())
            _ = intake.alertmanager(Self.webhook())
            #expect(replays.count == 1)
            // A `send` beside `serve`: another connection, in its own store object, commits.
            let other = try SQLiteStateStore(directory: (store.path as NSString).deletingLastPathComponent)
            try other.write { (tx) throws(StateError) in try tx.setValue("x", for: "test") }
            #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["duplicate"])
            #expect(replays.hits == 0, "read again after another process's commit")
        }
    }

    @Test func anAnswerEndsWithTheDedupWindowOfWhatItRepeats() async throws {
        try await withServer { intake, _, _, clock in
            let replays = intake.snapshot.replays
            _ = intake.alertmanager(Self.webhook())
            clock.advance(.seconds(9 * 60))
            #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["duplicate"])
            clock.advance(.seconds(30))
            #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["duplicate"])
            #expect(replays.hits == 1)
            // Ten minutes after the original, it is news again, whatever memory holds.
            clock.advance(.seconds(31))
            #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["queued"])
            #expect(replays.hits == 1)
        }
    }

    @Test func theCacheIsBoundedInAnswersAndInBytes() async throws {
        // The same alert in bodies that differ by trailing spaces: each a duplicate, each its own key.
        let bodies = (1...6).map { Self.webhook() + Array(repeating: UInt8(ascii: " "), count: $0) }
        try await withServer(replays: ReplayCache(capacity: 3)) { intake, _, _, _ in
            _ = intake.alertmanager(Self.webhook())
            for body in bodies {
                #expect(intake.alertmanager(body).decisions.map(\.decision) == ["duplicate"])
                #expect(intake.snapshot.replays.count <= 3)
            }
        }
        try await withServer(replays: ReplayCache(byteBudget: 2 * bodies[5].count)) { intake, _, _, _ in
            _ = intake.alertmanager(Self.webhook())
            for body in bodies {
                #expect(intake.alertmanager(body).decisions.map(\.decision) == ["duplicate"])
                #expect(intake.snapshot.replays.count <= 2)
            }
            #expect(intake.snapshot.replays.count > 0)
        }
    }
}
