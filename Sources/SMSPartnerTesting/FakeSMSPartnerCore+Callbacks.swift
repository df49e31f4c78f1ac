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
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            state.withLock { state in
                state.nextCallbackTaskID += 1
                let id = state.nextCallbackTaskID
                state.callbackTasks[id] = loop.scheduleTask(in: TimeAmount(job.delay)) {
                    self.call(job, on: loop).whenComplete { _ in
                        _ = self.state.withLock { $0.callbackTasks.removeValue(forKey: id) }
                    }
                }
            }
        }
    }

    /// Makes the call and records it.
    private func call(_ job: FakeCallbackJob, on loop: any EventLoop) -> EventLoopFuture<Void> {
        let request = job.request
        return FakeCallbackClient.send(
            method: request.method == "GET" ? .GET : .POST, url: request.url, contentType: request.contentType,
            body: Array(request.body.utf8), timeout: Self.callbackTimeout, on: loop
        ).map { Result<Int, any Error>.success($0) }
        .recover { Result<Int, any Error>.failure($0) }
        .map { result in
            let record = FakeCallbackRecord(
                url: request.url, method: request.method, contentType: request.contentType, body: request.body,
                messageID: job.messageID, phoneNumber: job.phoneNumber, status: job.status,
                responseStatus: try? result.get(),
                failure: result.failureDescription)
            self.state.withLock { $0.callbacks.append(record) }
        }
    }

    /// Polls until `count` callbacks are recorded or the timeout passes; returns whether they were.
    func waitForCallbacks(count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.callbacks.count }) < count {
            guard ContinuousClock.now < deadline else { return false }
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                return false
            }
        }
        return true
    }

    /// Cancels the callbacks not made yet (at shutdown).
    func cancelCallbacks() {
        let tasks = state.withLock {
            let scheduled = Array($0.callbackTasks.values)
            $0.callbackTasks = [:]
            return scheduled
        }
        for task in tasks { task.cancel() }
    }
}

extension Result {
    /// The failure as text, or nil for a success.
    fileprivate var failureDescription: String? {
        if case .failure(let error) = self { "\(error)" } else { nil }
    }
}
