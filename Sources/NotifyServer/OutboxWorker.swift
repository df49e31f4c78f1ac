import Logging
import NIOPosix
import NotifyCore
import NotifyState
import ServiceLifecycle
import Synchronization

/// `serve`'s background delivery: judges the dead man's switch (``DeadmanSwitch/judge()``:
/// the silence of an Alertmanager cluster is queued as an SMS), runs the escalations
/// (``Escalator/run()``: a step due is queued, an acknowledgement stops one), then flushes the outbox (due
/// SMS with backoff, expiry past `max_age`, due digests, leases of a crashed run taken back)
/// whenever a request queued something, and at least every `interval`. On graceful shutdown it finishes the delivery in
/// hand (every outcome committed) and stops.
public final class OutboxWorker: Service, Sendable {
    let runtime: ServerRuntime
    let metrics: ServerMetrics
    /// Where the store's failures go (logged there once per change, not once per round).
    let health: StoreHealth?
    let logger: Logger
    let interval: Duration
    let doorbell = Doorbell()
    /// A flush blocks for as long as its deliveries take: it gets its own thread, so that the
    /// requests keep the shared pool.
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let heartbeat = Mutex(ContinuousClock.now)
    /// Receipts are asked for at most every ``receiptInterval``, not at every round.
    private let receiptPolls = Throttle(interval: OutboxWorker.receiptInterval)
    static let receiptInterval = Duration.seconds(15)
    /// Silenced Alertmanager alerts are asked about at most every `two_way.alertmanager.watch_interval`
    /// (30 s unless set), and no more often than the loop goes round.
    private let silenceChecks = Throttle(interval: TwoWaySettings.Alertmanager.defaultWatchInterval)
    /// The longest a round spends asking for receipts (what is not asked is due at once again).
    static let receiptBudget = Duration.seconds(5)

    public init(runtime: ServerRuntime, metrics: ServerMetrics, health: StoreHealth? = nil, logger: Logger,
                interval: Duration = .seconds(2)) {
        self.runtime = runtime
        self.metrics = metrics
        self.health = health
        self.logger = logger
        self.interval = interval
    }

    /// Something was queued: deliver now.
    public func wake() { doorbell.ring() }

    /// Whether the loop went round recently.
    public var isAlive: Bool {
        ContinuousClock.now - heartbeat.withLock { $0 } < interval * 5 + .seconds(60)
    }

    public func run() async throws {
        logger.info("outbox worker started")
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            heartbeat.withLock { $0 = .now }
            let snapshot = runtime.snapshot
            let budget = snapshot.configuration.timeout
            let lease = snapshot.sender.lease(within: budget)
            // The dead man's switch first, on its own: a fault of its own never holds up pages.
            do {
                let deadman = try await pool.runIfActive { try snapshot.deadman.judge() }
                metrics.deadman(deadman)
                for event in deadman.events {
                    logger.warning("dead man's switch: Alertmanager \(event.change == .silent ? "silent" : "back")", metadata: [
                        "cluster": .string(event.cluster), "sms": .string(event.text),
                        "decisions": .string(event.decisions.map { "\($0.recipient.e164) \(OutcomeText.detail($0.decision) ?? "queued")" }
                            .joined(separator: ", ")),
                    ])
                }
            } catch {
                logger.error("dead man's switch: \(error)")
            }
            // Silenced Alertmanager alerts: their recovery is looked for here.
            if let alertmanager = snapshot.configuration.twoWay.alertmanager, silenceChecks.allow(every: alertmanager.watchInterval) {
                let watch = SilenceWatch(settings: snapshot.configuration.twoWay, outbox: snapshot.outbox, timeout: min(budget, .seconds(5)))
                do {
                    let found = try await pool.runIfActive { try watch.run() }
                    for name in found.resolved {
                        logger.info("a silenced Alertmanager alert resolved", metadata: ["alert": .string(name)])
                    }
                    if let failure = found.failures.first {
                        logger.warning("silenced alerts not looked at now: \(failure)")
                    }
                } catch {
                    logger.error("silenced alerts: \(error)")
                }
            }
            // Escalations next, on their own too: what a step queues goes out in this round.
            do {
                let escalations = try await pool.runIfActive { try snapshot.escalator.run() }
                metrics.escalations(escalations)
                for event in escalations.events {
                    logger.warning("escalation: \(event.kind.rawValue)", metadata: [
                        "subject": .string(event.subject), "policy": .string(event.policy),
                        "step": .string("\(event.step)/\(event.steps)"), "round": .stringConvertible(event.round),
                        "cause": .string(event.cause?.rawValue ?? "-"), "sms": .string(event.text ?? "-"),
                        "decisions": .string(event.decisions.map { "\($0.recipient.e164) \(OutcomeText.detail($0.decision) ?? "queued")" }
                            .joined(separator: ", ")),
                    ])
                }
            } catch {
                logger.error("escalation: \(error)")
            }
            do {
                let report = try await pool.runIfActive {
                    try snapshot.outbox.flush(sender: snapshot.sender, within: budget, lease: lease)
                }
                metrics.delivered(report)
                for line in OutcomeText.lines(for: report.results, digests: [:], maxAge: snapshot.configuration.policy.maxAge) {
                    logger.info("delivery", metadata: ["result": .string(line)])
                }
                if report.expired > 0 { logger.warning("expired queued SMS older than max_age", metadata: ["count": .stringConvertible(report.expired)]) }
                let status = try await pool.runIfActive {
                    try self.runtime.store.read { (reader) throws(StateError) in
                        try reader.statusSnapshot(now: snapshot.settings.clock(), windows: [], latest: 0)
                    }
                }
                metrics.outbox(status)
                health?.succeeded(.worker)
                if snapshot.configuration.receipts.isTracking, receiptPolls.allow() {
                    let poller = snapshot.settings.receiptPoller(store: runtime.store, sender: snapshot.sender)
                    // Short: a page queued meanwhile waits for this to end.
                    let receipts = try await pool.runIfActive { try poller.poll(within: min(budget, Self.receiptBudget)) }
                    record(receipts.finals)
                    if let failure = receipts.failure {
                        logger.warning("delivery receipts not asked for now (asked again later): \(failure)")
                    }
                }
            } catch let error as StateError where health != nil {
                health?.failed(.worker, error)
            } catch {
                logger.error("outbox worker: \(error)")
            }
            if Task.isShuttingDownGracefully { break }
            await doorbell.wait(atMost: interval)
            // Under a burst, let a few more arrive: one flush for them, fewer transactions
            // competing with the requests'.
            try? await Task.sleep(for: .milliseconds(10))
        }
        logger.info("outbox worker stopped")
    }

    /// Logs and counts final receipts: an SMS that did not reach its phone is an error.
    func record(_ finals: [ReceiptFinal]) {
        metrics.receipts(finals)
        for final in finals {
            logger.log(level: final.state == .delivered ? .info : .error, "\(ReceiptText.line(final))")
        }
    }
}
