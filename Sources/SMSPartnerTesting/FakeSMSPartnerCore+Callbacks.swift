import NIOCore
import NIOHTTP1
import NIOPosix

/// The `urlDlr` callbacks: each accepted send that carries one gets, per number, one call after
/// the callback delay, scheduled on an event loop (a connection of its own, never blocking one
/// that serves requests).
extension FakeSMSPartnerCore {
    /// How long a receiver may take to answer a callback.
    static let callbackTimeout: Duration = .seconds(5)

    func setCallbackDelay(_ delay: Duration) {
        state.withLock { $0.callbackDelay = delay }
    }

    func setCallbackStyle(_ style: FakeCallbackStyle) {
        state.withLock { $0.callbackStyle = style }
    }

    var callbacks: [FakeCallbackRecord] { state.withLock { $0.callbacks } }

    /// Schedules each job on an event loop; each forgets itself once its call is recorded.
    func startCallbacks(_ jobs: [FakeCallbackJob]) {
        for job in jobs {
            schedule(after: job.delay) { loop in
                self.call(job, on: loop)
            }
        }
    }

    /// Runs `work` on an event loop after `delay`, cancelled by ``cancelCallbacks()`` until the
    /// future it returns completes. Futures on the event loop, not a task: a test that holds the
    /// concurrency pool's threads must not hold back a callback.
    func schedule(after delay: Duration, _ work: @escaping @Sendable (any EventLoop) -> EventLoopFuture<Void>) {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        state.withLock { state in
            state.nextCallbackTaskID += 1
            let id = state.nextCallbackTaskID
            state.callbackTasks[id] = loop.scheduleTask(in: TimeAmount(delay)) {
                work(loop).whenComplete { _ in
                    _ = self.state.withLock { $0.callbackTasks.removeValue(forKey: id) }
                }
            }
        }
    }

    /// Makes `request` on `loop`; completes with the receiver's HTTP status, or why none came.
    func deliver(_ request: FakeCallbackRequest, on loop: any EventLoop) -> EventLoopFuture<(status: Int?, failure: String?)> {
        FakeCallbackClient.send(
            method: request.method == "GET" ? .GET : .POST, url: request.url, contentType: request.contentType,
            body: Array(request.body.utf8), timeout: Self.callbackTimeout, on: loop
        ).map { (status: Optional($0), failure: Optional<String>.none) }
        .recover { (status: nil, failure: "\($0)") }
    }

    /// Makes the call and records it.
    private func call(_ job: FakeCallbackJob, on loop: any EventLoop) -> EventLoopFuture<Void> {
        let request = job.request
        return deliver(request, on: loop).map { answer in
            let record = FakeCallbackRecord(
                url: request.url, method: request.method, contentType: request.contentType, body: request.body,
                messageID: job.messageID, phoneNumber: job.phoneNumber, status: job.status,
                responseStatus: answer.status, failure: answer.failure)
            self.state.withLock { $0.callbacks.append(record) }
        }
    }

    /// Polls until `count` callbacks are recorded or the timeout passes; returns whether they were.
    func waitForCallbacks(count: Int, timeout: Duration) async -> Bool {
        await poll(timeout: timeout) { $0.callbacks.count >= count }
    }

    /// Polls every 10 ms until `done` holds of the state or the timeout passes; returns whether it did.
    func poll(timeout: Duration, until done: (State) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !state.withLock({ done($0) }) {
            guard ContinuousClock.now < deadline else { return false }
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                return false
            }
        }
        return true
    }

    /// Cancels the callbacks and replies not made yet (at shutdown).
    func cancelCallbacks() {
        let tasks = state.withLock {
            let scheduled = Array($0.callbackTasks.values)
            $0.callbackTasks = [:]
            return scheduled
        }
        for task in tasks { task.cancel() }
    }
}
