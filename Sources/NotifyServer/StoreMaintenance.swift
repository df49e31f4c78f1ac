import Logging
import NIOPosix
import NotifyState
import ServiceLifecycle

/// Runs the store's housekeeping (``StateStore/maintain()``: SQLite's WAL checkpoints) every
/// `interval`, on a thread of its own: its syncs then delay neither a request nor the worker.
public struct StoreMaintenance: Service {
    let store: any StateStore
    let logger: Logger
    let interval: Duration

    public init(store: any StateStore, logger: Logger, interval: Duration = .seconds(1)) {
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        let store = store
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await pool.runIfActive { try store.maintain() }
            } catch {
                logger.warning("store housekeeping: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
        // A last checkpoint once the requests have stopped.
        try? await pool.runIfActive { try store.maintain() }
    }
}
