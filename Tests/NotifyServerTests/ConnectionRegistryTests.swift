import NIOCore
import NIOEmbedded
import Testing

@testable import NotifyServer

/// The cap on connections: the oldest idle one makes room, a busy one never does.
@Suite struct ConnectionRegistryTests {
    /// Whether the connection was admitted, and the one it closes.
    func admitted(_ admission: ConnectionRegistry.Admission) -> (Bool, (any Channel)?) {
        if case .admitted(let closing) = admission { return (true, closing) }
        return (false, nil)
    }

    @Test func theOldestIdleConnectionMakesRoomAndABusyOneNever() {
        let registry = ConnectionRegistry(capacity: 2)
        let (a, b, c, d) = (EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel(), EmbeddedChannel())
        for channel in [a, b] {
            let (kept, closing) = admitted(registry.open(channel))
            #expect(kept && closing == nil)
        }
        #expect(registry.count == 2)
        registry.setIdle(b, false)
        // c: a is the oldest idle one.
        let (keptC, closingA) = admitted(registry.open(c))
        #expect(keptC && closingA === a)
        #expect(registry.count == 2)
        registry.setIdle(c, false)
        // d: b and c are both busy.
        guard case .refused = registry.open(d) else {
            Issue.record("a busy connection was closed")
            return
        }
        registry.setIdle(b, true)
        let (keptD, closingB) = admitted(registry.open(d))
        #expect(keptD && closingB === b)
        registry.close(c)
        registry.close(d)
        #expect(registry.count == 0)
    }
}
