import Foundation
import Testing

@testable import NotifyState

/// The heartbeat table: the last Watchdog of each Alertmanager cluster and its switch's turns.
@Suite(.timeLimit(.minutes(2))) struct HeartbeatStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let cluster = "https://am.example.org"

    func heartbeats(_ store: any StateStore) throws -> [Heartbeat] {
        try store.read { (reader) throws(StateError) in try reader.heartbeats() }
    }

    @Test(arguments: StoreBackend.allCases)
    func theLastHeartbeatIsKeptNeverAnEarlierOne(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
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

    /// By cluster as bytes compare, whatever the database's collation.
    @Test(arguments: StoreBackend.allCases)
    func heartbeatsAreListedByCluster(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let clusters = ["https://b.example.org", "https://am-2.example.org", "https://A.example.org", "https://a.example.org",
                            "https://am.example.org", "https://am2.example.org", "https://Am.example.org"]
            try store.write { (tx) throws(StateError) in
                for cluster in clusters { try tx.recordHeartbeat(cluster: cluster, at: Self.t0) }
            }
            #expect(try heartbeats(store).map(\.cluster) == clusters.sorted())
            #expect(try store.snapshot(at: Self.t0).heartbeats.map(\.cluster) == clusters.sorted())
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aSilenceAndAReturnAreRecorded(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
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
            let snapshot = try store.snapshot(at: Self.t0 + .seconds(900))
            #expect(snapshot.heartbeats.map(\.cluster) == [Self.cluster], "status shows them")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aClusterNeverHeardFromIsNotMarked(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.write { (tx) throws(StateError) in
                try tx.markSilent(cluster: Self.cluster, at: Self.t0)
                try tx.markRestored(cluster: Self.cluster, at: Self.t0)
            }
            #expect(try heartbeats(store).isEmpty, "only a heartbeat starts the tracking")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aClusterNotHeardSinceThePruneCutoffIsForgottenUnlessItsSilenceWasTexted(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
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
