import NIOHTTP1

/// The `urlDlr` callbacks: each accepted send that carries one gets, per number, one call after
/// the callback delay, made by a task of its own (never on the event loop serving requests).
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

    /// Starts one task per job; each forgets itself once its call is recorded.
    func startCallbacks(_ jobs: [FakeCallbackJob]) {
        for job in jobs {
            state.withLock { state in
                state.nextCallbackTaskID += 1
                let id = state.nextCallbackTaskID
                state.callbackTasks[id] = Task {
                    await self.call(job)
                    _ = self.state.withLock { $0.callbackTasks.removeValue(forKey: id) }
                }
            }
        }
    }

    /// Waits for the job's delay, makes the call and records it (nothing when cancelled first).
    private func call(_ job: FakeCallbackJob) async {
        do {
            try await Task.sleep(for: job.delay)
        } catch {
            return
        }
        let request = job.request
        let result = await FakeCallbackClient.send(
            method: request.method == "GET" ? .GET : .POST, url: request.url, contentType: request.contentType,
            body: Array(request.body.utf8), timeout: Self.callbackTimeout)
        let record = FakeCallbackRecord(
            url: request.url, method: request.method, contentType: request.contentType, body: request.body,
            messageID: job.messageID, phoneNumber: job.phoneNumber, status: job.status,
            responseStatus: try? result.get(),
            failure: result.failureDescription)
        state.withLock { $0.callbacks.append(record) }
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
            let tasks = Array($0.callbackTasks.values)
            $0.callbackTasks = [:]
            return tasks
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
