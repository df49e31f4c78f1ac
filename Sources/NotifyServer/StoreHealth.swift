import Logging
import NIOPosix
import NotifyState
import Synchronization

/// Whether `serve` can still write its state, for `GET /healthz`, logged once per change.
///
/// It knows from two sides:
/// - a **heartbeat**: a small write transaction (`serve.heartbeat` in the store's `meta`),
///   committed when `/healthz` asks and the last one is older than `interval`, so probes cost
///   at most one commit a second however many there are;
/// - the **real work**: a webhook's decisions (``Source/intake``), the worker's flushes
///   (``Source/worker``) and the duplicates' history (``Source/history``) that failed for a reason a retry does not cure (a damaged database, a
///   full disk, a read-only file): such a failure holds `/healthz` at 503 until the same work
///   succeeds again, or for `window` at most (nothing tries again meanwhile).
///
/// A lock held by others for longer than the busy timeout is load, not damage: it is not
/// counted from the real work (the webhook gets its 503), but a heartbeat that cannot get the
/// lock is.
///
/// The first failure is logged as an error naming the cause, the recovery once at info;
/// nothing in between, however many requests and worker rounds fail.
public final class StoreHealth: Sendable {
    /// Who saw the store fail.
    public enum Source: String, Sendable, CaseIterable {
        case heartbeat, intake, worker
        /// The batches of duplicates answered from a read (``DuplicateRecorder``).
        case history
    }

    private struct Failure {
        var reason: String
        var at: ContinuousClock.Instant
    }

    private struct State {
        var failures: [Source: Failure] = [:]
        var lastHeartbeat: ContinuousClock.Instant?
        var heartbeatRunning = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Whether the failing state was logged (and not its recovery yet).
        var reportedFailing = false
    }

    let store: any StateStore
    let logger: Logger
    let interval: Duration
    let window: Duration
    /// The time (a test's own clock).
    let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    public convenience init(store: any StateStore, logger: Logger, interval: Duration = .seconds(1), window: Duration = .seconds(30)) {
        self.init(store: store, logger: logger, interval: interval, window: window, now: { .now })
    }

    init(store: any StateStore, logger: Logger, interval: Duration, window: Duration,
         now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.store = store
        self.logger = logger
        self.interval = interval
        self.window = window
        self.now = now
    }

    /// `source` used the store successfully: what it saw fail before is over.
    public func succeeded(_ source: Source) {
        update { $0.failures[source] = nil }
    }

    /// `source` saw the store fail with `error`.
    public func failed(_ source: Source, _ error: StateError) {
        guard source == .heartbeat || !error.isTransient else { return }
        let failure = Failure(reason: error.description, at: now())
        update { $0.failures[source] = failure }
    }

    /// What is wrong with the store now (nothing: empty); writes a heartbeat first when the
    /// last one is older than `interval` (on a thread of the blocking pool; another caller
    /// meanwhile gets the last answer, or waits for the first one).
    public func problems() async -> [String] {
        if let wait = claimHeartbeat() {
            if wait { await waitForHeartbeat() }
        } else {
            let result: Result<Void, StateError>
            do {
                try await NIOThreadPool.singleton.runIfActive { try self.heartbeat() }
                result = .success(())
            } catch let error as StateError {
                result = .failure(error)
            } catch {
                result = .failure(.failed(path: store.location, reason: "\(error)"))
            }
            finishHeartbeat(result)
        }
        return current()
    }

    /// The write a webhook would need, in miniature.
    func heartbeat() throws(StateError) {
        let stamp = String(Timestamp.now().milliseconds)
        try store.probeWrite(stamp, for: "serve.heartbeat", keep: true)
    }

    /// nil: this caller writes the heartbeat; false: the last answer holds; true: wait for
    /// the one being written (there is no answer yet).
    private func claimHeartbeat() -> Bool? {
        state.withLock { state -> Bool? in
            if state.heartbeatRunning { return state.lastHeartbeat == nil }
            if let last = state.lastHeartbeat, now() - last < interval { return false }
            state.heartbeatRunning = true
            return nil
        }
    }

    private func waitForHeartbeat() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let running = state.withLock { state -> Bool in
                guard state.heartbeatRunning else { return false }
                state.waiters.append(continuation)
                return true
            }
            if !running { continuation.resume() }
        }
    }

    private func finishHeartbeat(_ result: Result<Void, StateError>) {
        let waiters = update { state -> [CheckedContinuation<Void, Never>] in
            state.heartbeatRunning = false
            state.lastHeartbeat = now()
            switch result {
            case .success: state.failures[.heartbeat] = nil
            case .failure(let error): state.failures[.heartbeat] = Failure(reason: error.description, at: now())
            }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The failures that hold now, heartbeat first.
    private func current() -> [String] {
        update { _ in () }
        let reasons = state.withLock { Self.holding($0, now: now(), window: window).map(\.reason) }
        // Several sources often see the same cause: say it once.
        var seen = Set<String>()
        return reasons.filter { seen.insert($0).inserted }
    }

    private static func holding(_ state: State, now: ContinuousClock.Instant, window: Duration) -> [Failure] {
        Source.allCases.compactMap { source in
            guard let failure = state.failures[source] else { return nil }
            return source == .heartbeat || now - failure.at < window ? failure : nil
        }
    }

    /// Applies `change`, then logs a change between failing and healthy (once each way).
    @discardableResult
    private func update<T>(_ change: (inout State) -> T) -> T {
        let (result, log) = state.withLock { state -> (T, (failing: Bool, reason: String)?) in
            let result = change(&state)
            let holding = Self.holding(state, now: now(), window: window)
            guard holding.isEmpty == state.reportedFailing else { return (result, nil) }
            state.reportedFailing = !holding.isEmpty
            return (result, (!holding.isEmpty, holding.first?.reason ?? ""))
        }
        if let log {
            if log.failing {
                logger.error("the state store fails, /healthz answers 503 until it recovers: \(log.reason)")
            } else {
                logger.info("the state store works again, /healthz answers 200")
            }
        }
        return result
    }
}
