import AlertModel
import Foundation
import TestSupport
import Testing

/// Heartbeats (the Watchdog) taken out of an Alertmanager notification before anything else.
@Suite struct HeartbeatSeparationTests {
    static let names: Set<String> = ["Watchdog", "DeadMansSwitch"]

    private func decode(_ fixture: String) throws -> AlertModel.Notification {
        try AlertmanagerDecoder.decode(FixtureDirectory.decoders.bytes("watchdog/\(fixture)"))
    }

    @Test func aPayloadOfOnlyTheWatchdogLeavesNothing() throws {
        let notification = try decode("firing.json")
        #expect(notification.externalURL == "https://am.example.org")
        let (heartbeats, rest) = notification.separatingHeartbeats(named: Self.names)
        #expect(heartbeats.map { $0.label("alertname") } == ["Watchdog"])
        #expect(heartbeats.map(\.kind) == [.problem])
        #expect(rest == nil)
        #expect(try decode("resolved.json").separatingHeartbeats(named: Self.names).heartbeats.map(\.kind) == [.recovery])
    }

    @Test func theOthersAreGroupedAsIfTheWatchdogWasNeverThere() throws {
        let bytes = try FixtureDirectory.decoders.bytes("watchdog/with-alert.json")
        let (heartbeats, rest) = try AlertmanagerDecoder.decode(bytes).separatingHeartbeats(named: Self.names)
        #expect(heartbeats.map { $0.label("alertname") } == ["DeadMansSwitch"])
        // The same payload without the heartbeat, as Alertmanager would have sent it.
        var payload = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        payload["alerts"] = (payload["alerts"] as? [[String: Any]])?.filter { ($0["labels"] as? [String: String])?["alertname"] == "HostDown" }
        payload["status"] = "resolved"
        let alone = try AlertmanagerDecoder.decode([UInt8](JSONSerialization.data(withJSONObject: payload)))
        #expect(rest == alone)
        #expect(rest?.status == "resolved", "the payload's firing was the heartbeat's")
        #expect(rest?.externalURL == "https://am2.example.org/")
    }

    @Test func aPayloadWithoutHeartbeatIsUnchanged() throws {
        let notification = try AlertmanagerDecoder.decode(FixtureDirectory.decoders.bytes("alertmanager/firing-single.json"))
        let (heartbeats, rest) = notification.separatingHeartbeats(named: Self.names)
        #expect(heartbeats.isEmpty)
        #expect(rest == notification)
        #expect(try decode("firing.json").separatingHeartbeats(named: ["Heartbeat"]).heartbeats.isEmpty, "names come from the configuration")
    }

    @Test func onlyAlertmanagerHasHeartbeats() {
        let generic = AlertModel.Notification(single: Alert(source: .generic, service: "Watchdog", summary: "x", labels: [Label("alertname", "Watchdog")]))
        #expect(generic.separatingHeartbeats(named: Self.names).rest == generic)
    }
}
