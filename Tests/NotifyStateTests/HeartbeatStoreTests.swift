import TestSupport
import Testing

@testable import NotifyState

/// The heartbeat table: the last Watchdog of each Alertmanager cluster and its switch's turns.
@Suite struct HeartbeatStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let cluster = "https://am.example.org"

    func withStore(_ body: (SQLiteStateStore) throws -> Void) throws {
        let scratch = try TemporaryDirectory(prefix: "notify-heartbeat")
        defer { scratch.remove() }
        try body(try SQLiteStateStore(directory: scratch.root))
    }

    func heartbeats(_ store: SQLiteStateStore) throws -> [Heartbeat] {
        try store.read { (reader) throws(StateError) in try reader.heartbeats() }
    }

    @Test func theLastHeartbeatIsKeptNeverAnEarlierOne() throws {
        try withStore { store in
            try store.write { (tx) throws(StateError) in
                try tx.recordHeartbeat(cluster: Self.cluster, at: Self.t0 + .seconds(60))
                try tx.recordHeartbeat(cluster: Self.cluster, at: Self.t0)
                try tx.recordHeartbeat(cluster: "https://am2.example.org", at: Self.t0)
            }
            #expect(try heartbeats(store) == [
                Heartbeat(cluster: Self.cluster, lastSeen: Self.t0 + .seconds(60)),
                Heartbeat(cluster: "https://am2.example.org", lastSeen: Self.t0),
            ])
        }
    }

    @Test func aSilenceAndAReturnAreRecorded() throws {
        try withStore { store in
            try store.write { (tx) throws(StateError) in
                try tx.recordHeartbeat(cluster: Self.cluster, at: Self.t0)
                try tx.markSilent(cluster: Self.cluster, at: Self.t0 + .seconds(600))
            }
            #expect(try heartbeats(store).first?.alarmAt == Self.t0 + .seconds(600))
            try store.write { (tx) throws(StateError) in
                try tx.recordHeartbeat(cluster: Self.cluster, at: Self.t0 + .seconds(900))
                try tx.markRestored(cluster: Self.cluster, at: Self.t0 + .seconds(900))
            }
            #expect(try heartbeats(store) == [
                Heartbeat(cluster: Self.cluster, lastSeen: Self.t0 + .seconds(900), alarmAt: nil, restoredAt: Self.t0 + .seconds(900)),
            ])
            let snapshot = try store.read { (reader) throws(StateError) in
                try reader.statusSnapshot(now: Self.t0 + .seconds(900), windows: [], latest: 0)
            }
            #expect(snapshot.heartbeats.map(\.cluster) == [Self.cluster], "status shows them")
        }
    }

    @Test func aClusterNotHeardSinceThePruneCutoffIsForgottenUnlessItsSilenceWasTexted() throws {
        try withStore { store in
            try store.write { (tx) throws(StateError) in
                try tx.recordHeartbeat(cluster: "https://old.example.org", at: Self.t0)
                try tx.recordHeartbeat(cluster: "https://down.example.org", at: Self.t0)
                try tx.markSilent(cluster: "https://down.example.org", at: Self.t0 + .seconds(1))
                try tx.recordHeartbeat(cluster: Self.cluster, at: Self.t0 + .seconds(2))
                _ = try tx.prune(decidedBefore: Self.t0 + .seconds(1))
            }
            #expect(try heartbeats(store).map(\.cluster).sorted() == ["https://down.example.org", Self.cluster].sorted(),
                    "a silent cluster stays silent (and its return is texted)")
        }
    }
}
