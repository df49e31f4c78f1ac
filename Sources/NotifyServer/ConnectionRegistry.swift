import NIOCore
import Synchronization

/// The connections `serve` holds, and the cap on them (`serve.max_connections`, lowered to fit
/// the open-files limit).
///
/// A connection beyond the cap closes the oldest *idle* one (no request in progress: not one
/// received yet, or between two, or a head still arriving), as nginx reuses its idle keep-alive
/// connections when it runs out: connections that only sit there cannot keep a health probe or
/// a webhook out. When every connection is busy with a request, the new one is closed at once.
/// Either way `serve` never holds more than the cap, so `accept` never meets the open-files
/// limit (where SwiftNIO would retry it in a loop, one core at 100 %).
final class ConnectionRegistry: Sendable {
    /// What becomes of a new connection.
    enum Admission {
        /// Kept; `closing` (the oldest idle connection) is to be closed to make room.
        case admitted(closing: (any Channel)?)
        /// To be closed at once: the cap is reached and no connection is idle.
        case refused
    }

    private struct Entry {
        let channel: any Channel
        /// Order of arrival: the smallest idle one is closed first.
        let serial: UInt64
        var idle: Bool
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var serial: UInt64 = 0
    }

    /// Most connections held at once.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Registers a new connection (idle until its first request head arrives).
    func open(_ channel: any Channel) -> Admission {
        state.withLock { state -> Admission in
            var closing: (any Channel)?
            if state.entries.count >= capacity {
                guard let oldest = state.entries.filter({ $0.value.idle }).min(by: { $0.value.serial < $1.value.serial }) else {
                    return .refused
                }
                state.entries[oldest.key] = nil
                closing = oldest.value.channel
            }
            state.serial += 1
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, serial: state.serial, idle: true)
            return .admitted(closing: closing)
        }
    }

    /// Whether a request is in progress on `channel`; an idle one may be closed to make room.
    func setIdle(_ channel: any Channel, _ idle: Bool) {
        state.withLock { state in
            state.entries[ObjectIdentifier(channel)]?.idle = idle
        }
    }

    /// Forgets a connection that closed.
    func close(_ channel: any Channel) {
        _ = state.withLock { state in
            state.entries.removeValue(forKey: ObjectIdentifier(channel))
        }
    }

    /// Connections held now.
    var count: Int { state.withLock { $0.entries.count } }
}
