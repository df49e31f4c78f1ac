import AlertModel
import Foundation
import GRDB
import Logging
import NotifyCore
import NotifyState
import SMSPartner
import SMSText
import TestSupport
import Testing

@testable import NotifyServer

#if canImport(Glibc)
import Glibc
#endif

/// The intake on a real store: what each payload is answered, and what it leaves queued.
@Suite struct WebhookIntakeTests {
    static let oncall = "+33611111111"

    func withIntake(_ yaml: String = "", _ body: (WebhookIntake, SQLiteStateStore) throws -> Void) throws {
        try withIntake(yaml) { intake, store, _ in try body(intake, store) }
    }

    func withIntake(_ yaml: String = "", _ body: (WebhookIntake, SQLiteStateStore, String) throws -> Void) throws {
        let scratch = try TemporaryDirectory(prefix: "intake")
        defer { scratch.remove() }
        let dir = scratch.root
        let store = try SQLiteStateStore(directory: dir, busyTimeout: .milliseconds(200))
        let configuration = try Configuration.parse(yaml: yaml, path: "test.yml")
        let settings = Settings(configuration: configuration, apiURL: "http://127.0.0.1:9/v1", environment: [:])
        let runtime = try ServerRuntime(store: store, stateDirectory: dir, defaults: [try PhoneNumber(parsing: Self.oncall)]) {
            (settings, APIKey("k")!, Credentials.none)
        }
        try body(WebhookIntake(snapshot: runtime.snapshot), store, dir)
    }

    static func webhook(receiver: String = "sms-oncall", alertname: String = "HostDown") -> [UInt8] {
        Array("""
            {"version":"4","groupKey":"{}:{}","status":"firing","receiver":"\(receiver)","groupLabels":{},"commonLabels":{},
             "commonAnnotations":{},"externalURL":"","truncatedAlerts":0,
             "alerts":[{"status":"firing","labels":{"alertname":"\(alertname)","instance":"db1","sms_to":"+33633333333"},
                        "annotations":{"summary":"db1 down"},"startsAt":"2026-12-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                        "fingerprint":"fp-\(alertname)"}]}
            """.utf8)
    }

    @Test func anAcceptedWebhookIsQueuedAndItsCopyIsADuplicate() throws {
        try withIntake { intake, store in
            let first = intake.alertmanager(Self.webhook())
            #expect(first.status == 200)
            #expect(first.decisions == [.init(to: Self.oncall, decision: "queued")])
            let again = intake.alertmanager(Self.webhook())
            #expect(again.status == 200)
            #expect(again.decisions.map(\.decision) == ["duplicate"])
            let queued = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: .now(), windows: [], latest: 0).queued
            }
            #expect(queued == 1, "queued for the worker, not sent by the request")
        }
    }

    @Test func aCopyIsAnsweredFromAReadWhileAnotherProcessHoldsTheWriteLock() async throws {
        let scratch = try TemporaryDirectory(prefix: "intake")
        defer { scratch.remove() }
        let dir = scratch.root
        let store = try SQLiteStateStore(directory: dir, busyTimeout: .milliseconds(200))
        let settings = Settings(configuration: Configuration(), apiURL: "http://127.0.0.1:9/v1", environment: [:])
        let runtime = try ServerRuntime(store: store, stateDirectory: dir, defaults: [try PhoneNumber(parsing: Self.oncall)]) {
            (settings, APIKey("k")!, Credentials.none)
        }
        let recorder = DuplicateRecorder(runtime: runtime, logger: Logger(label: "test"))
        let intake = WebhookIntake(snapshot: runtime.snapshot, recorder: recorder)
        func duplicates() throws -> Int {
            try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: .now(), windows: [.seconds(3600)], latest: 0).windows.first?.suppressed[.duplicate] ?? 0
            }
        }
        #expect(intake.alertmanager(Self.webhook()).decisions.map(\.decision) == ["queued"])

        // Another process takes the writers' lock (flock on its own open file description).
        let fd = open(dir + "/state.lock", O_RDWR)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let copy = intake.alertmanager(Self.webhook())
        #expect(copy.status == 200, "\(copy.message)")
        #expect(copy.decisions.map(\.decision) == ["duplicate"])
        let other = intake.alertmanager(Self.webhook(alertname: "DiskFull"))
        #expect(other.status == 503, "a new alert needs the lock: \(other.message)")
        #expect(recorder.backlog == 1)
        await recorder.record()
        #expect(recorder.backlog == 1, "kept while the store refuses the write")
        #expect(try duplicates() == 0)

        flock(fd, LOCK_UN)
        close(fd)
        await recorder.record()
        #expect(recorder.backlog == 0)
        #expect(try duplicates() == 1, "recorded once the lock is free")
        #expect(intake.alertmanager(Self.webhook(alertname: "DiskFull")).decisions.map(\.decision) == ["queued"])
    }

    static func instance(status: String, startsAt: String) -> [UInt8] {
        Array("""
            {"version":"4","groupKey":"{}:{alertname=\\"HostDown\\"}","status":"\(status)","receiver":"sms-oncall",
             "groupLabels":{"alertname":"HostDown"},"commonLabels":{},"commonAnnotations":{},"externalURL":"","truncatedAlerts":0,
             "alerts":[{"status":"\(status)","labels":{"alertname":"HostDown","instance":"db1"},"annotations":{"summary":"db1 down"},
                        "startsAt":"\(startsAt)","endsAt":"\(status == "resolved" ? "2026-12-01T10:09:00Z" : "0001-01-01T00:00:00Z")",
                        "fingerprint":"f1"}]}
            """.utf8)
    }

    @Test func aFiringOvertakenByItsResolutionIsStaleButARefireIsNot() throws {
        try withIntake { intake, store in
            let decide = { (body: [UInt8]) in intake.alertmanager(body).decisions.map(\.decision) }
            #expect(decide(Self.instance(status: "firing", startsAt: "2026-12-01T10:00:00Z")) == ["queued"])
            #expect(decide(Self.instance(status: "resolved", startsAt: "2026-12-01T10:00:00Z")) == ["queued"])
            // An HA peer's late copy of the first notification: its alert is resolved already.
            #expect(decide(Self.instance(status: "firing", startsAt: "2026-12-01T10:00:00Z")) == ["stale"])
            #expect(decide(Self.instance(status: "resolved", startsAt: "2026-12-01T10:00:00Z")) == ["duplicate"])
            // The same alert firing again later is a new instance: news.
            #expect(decide(Self.instance(status: "firing", startsAt: "2026-12-01T11:00:00Z")) == ["queued"])
            let snapshot = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: .now(), windows: [.seconds(3600)], latest: 0)
            }
            #expect(snapshot.queued == 3)
            #expect(snapshot.windows.first?.suppressed == [.stale: 1, .duplicate: 1])
        }
    }

    @Test func whatNoRetryCanFixIs400() throws {
        try withIntake { intake, _ in
            #expect(intake.alertmanager(Array("{".utf8)).status == 400)
            #expect(intake.alertmanager(Array(#"{"alerts":[]}"#.utf8)).status == 400)
            #expect(intake.alertmanager([]).status == 400)
            #expect(intake.generic(Array("plain text".utf8)).status == 400)
            #expect(intake.generic(Array(#"{"nothing":"usable"}"#.utf8)).status == 400)
        }
    }

    @Test func theDecodersOwnWordsReachThe400ButNotStandardInput() throws {
        try withIntake { intake, _ in
            // Nested deeper than the JSON parser goes: whatever the decoder says of it is the answer.
            let deep = Array(("{\"alerts\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}").utf8)
            var expected = ""
            do { _ = try AlertmanagerDecoder.decode(deep) } catch { expected = "\(error)" }
            #expect(!expected.isEmpty)
            let reply = intake.alertmanager(deep)
            #expect(reply.status == 400 && reply.message == expected, "\(reply.message)")

            let notUTF8 = intake.generic([0x7B, 0x22, 0x68, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D])
            #expect(notUTF8.status == 400)
            #expect(!notUTF8.message.contains("standard input") && notUTF8.message.contains("body"), "\(notUTF8.message)")
        }
    }

    @Test func noRecipientIs400() throws {
        try withIntake { intake, _ in
            let runtimeless = WebhookIntake(snapshot: {
                var snapshot = intake.snapshot
                snapshot.defaults = []
                return snapshot
            }())
            let reply = runtimeless.alertmanager(Self.webhook())
            #expect(reply.status == 400)
            #expect(reply.message.contains("no recipient for receiver \"sms-oncall\""), "\(reply.message)")
        }
    }

    @Test func receiversRouteAndTheLabelNeedsTheAllowlist() throws {
        try withIntake("receivers:\n  db: [\"+33622222222\"]\nrecipient_label: sms_to\n") { intake, _ in
            let reply = intake.alertmanager(Self.webhook(receiver: "db"))
            #expect(reply.decisions.map(\.to) == ["+33622222222"])
            #expect(reply.skipped == ["+33633333333 (not in allowed_recipients)"])
        }
        try withIntake("recipient_label: sms_to\nallowed_recipients: [\"+33633*\"]\n") { intake, _ in
            let reply = intake.alertmanager(Self.webhook())
            #expect(reply.decisions.map(\.to) == [Self.oncall, "+33633333333"])
        }
    }

    @Test func aLockedStoreIs503SoAlertmanagerRetries() throws {
        try withIntake { intake, store in
            let holder = try DatabaseQueue(path: store.path)
            try holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                defer { try? db.execute(sql: "ROLLBACK") }
                let reply = intake.alertmanager(Self.webhook())
                #expect(reply.status == 503, "\(reply.message)")
            }
            #expect(intake.alertmanager(Self.webhook()).status == 200, "and accepted once the lock is gone")
        }
    }

    @Test func theReplyBodyIsJSON() throws {
        let reply = IntakeReply(status: 200, message: "accepted", decisions: [.init(to: "+33600000000", decision: "held", detail: "x")], alerts: 2)
        let object = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        #expect(object?["status"] as? String == "accepted")
        #expect(object?["alerts"] as? Int == 2)
        #expect((object?["decisions"] as? [[String: String]])?.first?["decision"] == "held")
    }
}
