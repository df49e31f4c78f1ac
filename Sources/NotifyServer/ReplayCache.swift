import NotifyCore
import NotifyState
import Synchronization

/// What `serve` answered to webhooks that only repeated deliveries accepted before, by route
/// and body: an Alertmanager retry sends the very same bytes again, and is answered from here
/// without decoding, rendering or a query.
///
/// An answer holds while nothing was committed to the store since it was read (the store's
/// ``StateStore/commitVersion()`` is the same) and every delivery it repeats is still inside
/// the dedup window: then the decisions are the ones a read would find. A new configuration
/// comes with a new cache (``ServerRuntime/Snapshot``). A store that cannot tell when it
/// changed (no version) gets nothing cached.
public final class ReplayCache: Sendable {
    struct Key: Hashable, Sendable {
        var route: String
        var body: [UInt8]

        func hash(into hasher: inout Hasher) {
            hasher.combine(route)
            body.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// One answer: the duplicates to record again, and the reply.
    struct Entry: Sendable {
        var version: Int64
        /// The first moment one of the deliveries it repeats leaves the dedup window.
        var validUntil: Timestamp
        var duplicates: [DuplicateDecision]
        var reply: IntakeReply
    }

    /// Bodies larger than this are not kept (a retry of a large group is rare, and costly to hold).
    static let maxBodyBytes = 64 * 1024
    /// At most this many answers, and bodies of at most `byteBudget` bytes in all.
    let capacity: Int
    let byteBudget: Int
    private struct Store {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }
    private let store = Mutex(Store())
    private let answered = Atomic<Int>(0)

    public init(capacity: Int = 1024, byteBudget: Int = 4 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    /// The answer to `body` on `route` that still holds at `version` and `now`: its
    /// duplicates, stamped `now`, and the reply.
    func answer(route: String, body: [UInt8], version: Int64, now: Timestamp) -> (duplicates: [DuplicateDecision], reply: IntakeReply)? {
        guard body.count <= Self.maxBodyBytes else { return nil }
        let key = Key(route: route, body: body)
        guard let entry = store.withLock({ $0.entries[key] }), entry.version == version, now < entry.validUntil else { return nil }
        answered.add(1, ordering: .relaxed)
        let duplicates = entry.duplicates.map { duplicate in
            var duplicate = duplicate
            duplicate.decidedAt = now
            return duplicate
        }
        return (duplicates, entry.reply)
    }

    /// Keeps the answer given to `body` on `route`, found by a read at `version`, while the
    /// deliveries it repeats are younger than `dedupWindow`.
    func remember(route: String, body: [UInt8], version: Int64, dedupWindow: Duration, duplicates: [DuplicateDecision],
                  reply: IntakeReply) {
        guard body.count <= Self.maxBodyBytes, let oldest = duplicates.map(\.earlier.createdAt).min() else { return }
        let entry = Entry(version: version, validUntil: oldest + dedupWindow, duplicates: duplicates, reply: reply)
        let key = Key(route: route, body: body)
        store.withLock { store in
            if store.entries.count >= capacity || store.bytes + body.count > byteBudget {
                // What an older version found holds no more; beyond that, start again.
                store.entries = store.entries.filter { $0.value.version == version }
                store.bytes = store.entries.keys.reduce(0) { $0 + $1.body.count }
                if store.entries.count >= capacity || store.bytes + body.count > byteBudget {
                    store.entries.removeAll()
                    store.bytes = 0
                }
            }
            if store.entries.updateValue(entry, forKey: key) == nil { store.bytes += body.count }
        }
    }

    /// How many answers are kept.
    public var count: Int { store.withLock { $0.entries.count } }

    /// How many webhooks were answered from here.
    public var hits: Int { answered.load(ordering: .relaxed) }
}
