import Logging
import NIOPosix
import NotifyCore
import NotifyState
import ServiceLifecycle
import Synchronization

/// Records, in batches, the duplicates `serve` answered from a read (``Outbox/duplicates(of:to:dedupKey:)``):
/// every `interval`, or as soon as `batch` are waiting, in one write transaction; what is left
/// on graceful shutdown is written before the process ends.
///
/// What waits here is history (the `status` counts and latest decisions), never an alert: the
/// delivery each one duplicates is committed already. A `kill -9` loses at most the last
/// `interval` of it. A batch the store refuses (locked) is kept and written with the next one.
public final class DuplicateRecorder: Service, Sendable {
    let runtime: ServerRuntime
    /// Where the store's failures go.
    let health: StoreHealth?
    let logger: Logger
    let interval: Duration
    let batch: Int
    /// Beyond this many waiting (a store that refuses writes for long), the oldest are dropped.
    let capacity: Int
    private let waiting = Mutex<[DuplicateDecision]>([])
    private let doorbell = Doorbell()
    /// Whether the last batch was refused (its first refusal is logged, not every retry).
    private let refused = Atomic<Bool>(false)

    public init(runtime: ServerRuntime, health: StoreHealth? = nil, logger: Logger, interval: Duration = .milliseconds(200),
                batch: Int = 256, capacity: Int = 100_000) {
        self.runtime = runtime
        self.health = health
        self.logger = logger
        self.interval = interval
        self.batch = batch
        self.capacity = capacity
    }

    /// Queues decisions to record.
    public func add(_ decisions: [DuplicateDecision]) {
        let (count, dropped) = waiting.withLock { waiting -> (Int, Int) in
            waiting.append(contentsOf: decisions)
            let over = max(0, waiting.count - capacity)
            if over > 0 { waiting.removeFirst(over) }
            return (waiting.count, over)
        }
        if dropped > 0 { logger.warning("duplicate history: dropped the oldest \(dropped) (the store refuses writes)") }
        if count >= batch { doorbell.ring() }
    }

    /// How many wait to be recorded.
    public var backlog: Int { waiting.withLock { $0.count } }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await doorbell.wait(atMost: interval)
            await record()
        }
        await record()
    }

    /// Writes what waits now; keeps it for the next time when the store refuses.
    func record() async {
        let decisions = waiting.withLock { waiting -> [DuplicateDecision] in
            defer { waiting.removeAll(keepingCapacity: true) }
            return waiting
        }
        guard !decisions.isEmpty else { return }
        let outbox = runtime.snapshot.outbox
        do {
            try await NIOThreadPool.singleton.runIfActive { try outbox.recordDuplicates(decisions) }
            health?.succeeded(.history)
            if refused.exchange(false, ordering: .relaxed) { logger.info("duplicate history recorded again") }
        } catch {
            if let error = error as? StateError { health?.failed(.history, error) }
            if !refused.exchange(true, ordering: .relaxed) { logger.warning("duplicate history not recorded yet (kept, retried): \(error)") }
            waiting.withLock { $0.insert(contentsOf: decisions, at: 0) }
        }
    }
}
