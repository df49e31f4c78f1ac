import AlertModel
import Foundation
import GRDB
import NotifyCore
import NotifyState
import SMSPartner
import SMSText
import Testing

@testable import NotifyServer

/// The intake on a real store: what each payload is answered, and what it leaves queued.
@Suite struct WebhookIntakeTests {
    static let oncall = "+33611111111"

    func withIntake(_ yaml: String = "", _ body: (WebhookIntake, SQLiteStateStore) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStateStore(directory: dir, busyTimeout: .milliseconds(200))
        let configuration = try Configuration.parse(yaml: yaml, path: "test.yml")
        let settings = Settings(configuration: configuration, apiURL: "http://127.0.0.1:9/v1", environment: [:])
        let runtime = try ServerRuntime(store: store, stateDirectory: dir, defaults: [try PhoneNumber(parsing: Self.oncall)]) {
            (settings, APIKey("k")!, Credentials.none)
        }
        try body(WebhookIntake(snapshot: runtime.snapshot), store)
    }

    static func webhook(receiver: String = "sms-oncall", alertname: String = "HostDown") -> [UInt8] {
        Array("""
            {"version":"4","groupKey":"{}:{}","status":"firing","receiver":"\(receiver)","groupLabels":{},"commonLabels":{},
             "commonAnnotations":{},"externalURL":"","truncatedAlerts":0,
             "alerts":[{"status":"firing","labels":{"alertname":"\(alertname)","instance":"db1","sms_to":"+33633333333"},
                        "annotations":{"summary":"db1 down"},"startsAt":"2026-12-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                        "fingerprint":"abc"}]}
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

    @Test func whatNoRetryCanFixIs400() throws {
        try withIntake { intake, _ in
            #expect(intake.alertmanager(Array("{".utf8)).status == 400)
            #expect(intake.alertmanager(Array(#"{"alerts":[]}"#.utf8)).status == 400)
            #expect(intake.alertmanager([]).status == 400)
            #expect(intake.generic(Array("plain text".utf8)).status == 400)
            #expect(intake.generic(Array(#"{"nothing":"usable"}"#.utf8)).status == 400)
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
