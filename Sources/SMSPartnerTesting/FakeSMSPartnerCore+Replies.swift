import NIOCore

/// The replies tests make phones send: calls to a reply URL, made on an event loop at once (one
/// after the other for the parts of a long reply) and recorded with the receiver's answer.
extension FakeSMSPartnerCore {
    var replies: [FakeReplyRecord] { state.withLock { $0.replies } }

    /// Decides the ids under the lock and starts the calls.
    func reply(from phoneNumber: String, text: String, to url: String, shape: FakeReplyShape, messageID: String?) {
        let job = state.withLock { state in
            let texts = FakeReplyJob.pieces(of: text, shape: shape)
            var ids: [String?]
            if shape == .shortNumberJSON {
                let sender = FakePhoneNumber.canonical(phoneNumber)
                ids = [messageID ?? state.accepted.last(where: { $0.numbers.map(FakePhoneNumber.canonical).contains(sender) })?.messageID]
            } else {
                ids = texts.map { _ in
                    if let messageID { return messageID }
                    state.nextInboundID += 1
                    return String(state.nextInboundID)
                }
            }
            state.nextInboundID += 1
            return FakeReplyJob(
                url: url, shape: shape, phoneNumber: phoneNumber, text: text,
                pieces: zip(texts, ids).map { (text: $0, messageID: $1) }, ref: String(state.nextInboundID), receivedAt: .now)
        }
        schedule(after: .zero) { loop in
            self.make(job.calls[...], of: job, on: loop)
        }
    }

    /// Makes the first call, records it, then the rest.
    private func make(_ calls: ArraySlice<FakeReplyJob.Call>, of job: FakeReplyJob, on loop: any EventLoop) -> EventLoopFuture<Void> {
        guard let call = calls.first else { return loop.makeSucceededVoidFuture() }
        return deliver(call.request, on: loop).flatMap { answer in
            let record = FakeReplyRecord(
                url: call.request.url, method: call.request.method, contentType: call.request.contentType, body: call.request.body,
                shape: job.shape, phoneNumber: job.phoneNumber, text: call.text, part: call.part, messageID: call.messageID,
                responseStatus: answer.status, failure: answer.failure)
            self.state.withLock { $0.replies.append(record) }
            return self.make(calls.dropFirst(), of: job, on: loop)
        }
    }

    /// Polls until `count` reply requests are recorded or the timeout passes; returns whether they were.
    func waitForReplies(count: Int, timeout: Duration) async -> Bool {
        await poll(timeout: timeout) { $0.replies.count >= count }
    }
}
