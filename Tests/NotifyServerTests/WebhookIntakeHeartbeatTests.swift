import Foundation
import NotifyCore
import NotifyState
import SMSPartner
import SMSText
import TestSupport
import Testing

@testable import NotifyServer

/// The Watchdog at the intake: taken out of the payload before anything else, recorded when
/// firing, never texted; its return after a texted silence queues the RESTORED SMS.
@Suite struct WebhookIntakeHeartbeatTests {
    static let oncall = "+33611111111"
    static let deadmanTo = "+33644444444"

    func withIntake(defaults: [String] = [oncall], _ body: (WebhookIntake, SQLiteStateStore) throws -> Void) throws {
        let scratch = try TemporaryDirectory(prefix: "intake")
        defer { scratch.remove() }
        let store = try SQLiteStateStore(directory: scratch.root, busyTimeout: .milliseconds(200))
        let configuration = try Configuration.parse(yaml: "deadman:\n  timeout: 10m\n  to: [\"\(Self.deadmanTo)\"]\n", path: "test.yml")
        let settings = Settings(configuration: configuration, apiURL: "http://127.0.0.1:9/v1", environment: [:])
        let runtime = try ServerRuntime(store: store, stateDirectory: scratch.root, defaults: try defaults.map { try PhoneNumber(parsing: $0) }) {
            (settings, APIKey("k")!, Credentials.none)
        }
        try body(WebhookIntake(snapshot: runtime.snapshot), store)
    }

    static func payload(_ name: String) throws -> [UInt8] {
        try FixtureDirectory.decoders.bytes("watchdog/\(name)")
    }

    static func snapshot(_ store: SQLiteStateStore) throws -> StatusSnapshot {
        try store.read { (reader) throws(StateError) in try reader.statusSnapshot(now: .now(), windows: [], latest: 50) }
    }

    @Test func aWatchdogIsRecordedAndNeverTexted() throws {
        // No route and no default: a real alert would be refused, the Watchdog is not.
        try withIntake(defaults: []) { intake, store in
            let reply = intake.alertmanager(try Self.payload("firing.json"))
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.decisions.isEmpty)
            #expect(reply.heartbeats == 1 && reply.alerts == 1)
            #expect(String(decoding: reply.body, as: UTF8.self) == #"{"alerts":1,"decisions":[],"heartbeats":1,"skipped":[],"status":"accepted"}"# + "\n")
            let snapshot = try Self.snapshot(store)
            #expect(snapshot.latest.isEmpty, "no decision, no duplicate recorded")
            #expect(snapshot.heartbeats.map(\.cluster) == ["https://am.example.org"])
        }
    }

    @Test func aResolvedWatchdogIsNotAHeartbeatSeen() throws {
        try withIntake { intake, store in
            let reply = intake.alertmanager(try Self.payload("resolved.json"))
            #expect(reply.status == 200 && reply.heartbeats == 1 && reply.decisions.isEmpty, "\(reply)")
            #expect(try Self.snapshot(store).heartbeats.isEmpty)
        }
    }

    @Test func theOtherAlertsOfThePayloadAreTextedAsIfAlone() throws {
        try withIntake { intake, store in
            let mixed = intake.alertmanager(try Self.payload("with-alert.json"))
            #expect(mixed.status == 200, "\(mixed)")
            #expect(mixed.decisions.map(\.decision) == ["queued"])
            #expect(mixed.alerts == 2 && mixed.heartbeats == 1)
            let snapshot = try Self.snapshot(store)
            #expect(snapshot.latest.first?.text == "RESOLVED HostDown db1.example.org critical: Host db1.example.org is down", "\(snapshot.latest)")
            #expect(snapshot.heartbeats.map(\.cluster) == ["https://am2.example.org/"])
            // The same alert without the heartbeat: the same key, a duplicate.
            var payload = try #require(try JSONSerialization.jsonObject(with: Data(Self.payload("with-alert.json"))) as? [String: Any])
            payload["alerts"] = (payload["alerts"] as? [[String: Any]])?.filter { ($0["labels"] as? [String: String])?["alertname"] == "HostDown" }
            let alone = intake.alertmanager([UInt8](try JSONSerialization.data(withJSONObject: payload)))
            #expect(alone.decisions.map(\.decision) == ["duplicate"], "\(alone)")
        }
    }

    @Test func theWatchdogBackAfterATextedSilenceQueuesTheRestoredSMS() throws {
        try withIntake { intake, store in
            let silentSince = Timestamp.now() - .seconds(3600)
            try store.write { (tx) throws(StateError) in
                try tx.recordHeartbeat(cluster: "https://am.example.org", at: silentSince)
                try tx.markSilent(cluster: "https://am.example.org", at: silentSince + .seconds(600))
            }
            let reply = intake.alertmanager(try Self.payload("firing.json"))
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.decisions.map(\.to) == [Self.deadmanTo])
            #expect(reply.decisions.map(\.decision) == ["queued"])
            let snapshot = try Self.snapshot(store)
            let text = try #require(snapshot.latest.first?.text)
            #expect(text.hasPrefix("RESTORED Alertmanager https://am.example.org Watchdog back at "), "\(text)")
            #expect(text.contains("(silent since ") && text.hasSuffix(" \(silentSince.localTimeOfDay))"), "\(text)")
            #expect(snapshot.queued == 1)
            #expect(snapshot.heartbeats.first?.alarmAt == nil)
            #expect(intake.alertmanager(try Self.payload("firing.json")).decisions.isEmpty, "once")
        }
    }
}
