#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import Synchronization

/// The state and the decisions of ``FakeSMSPartner``, shared by every connection handler.
final class FakeSMSPartnerCore: Sendable {
    /// A request as the connection handler hands it over.
    struct Incoming: Sendable {
        let method: String
        let uri: String
        let headerFields: [(name: String, value: String)]
        let body: [UInt8]
        /// The body went over the size limit (and was not kept).
        let bodyTooLarge: Bool
    }

    /// A caller of `waitForRequests` still waiting.
    struct Waiter {
        let count: Int
        let continuation: CheckedContinuation<Bool, Never>
    }

    struct State {
        var requests: [RecordedRequest] = []
        var delivered: [SendRequestBody] = []
        /// Every accepted send with its message id.
        var accepted: [FakeAcceptedMessage] = []
        /// The same, as message id → its numbers (``FakePhoneNumber/canonical(_:)``): status
        /// queries look there, not through every message.
        var acceptedNumbers: [String: Set<String>] = [:]
        /// The code `GET /me` answers instead of the account, if any.
        var meError: Int?
        /// Per number (``FakePhoneNumber/canonical(_:)``): its scripted statuses, and how many
        /// status queries walked them.
        var deliveryScripts: [String: [FakeDeliveryStatus]] = [:]
        var deliveryPositions: [String: Int] = [:]
        var defaultDeliveryStatus: FakeDeliveryStatus = .delivered
        /// Status queries (message-status, multi-status) still to fail with HTTP 503.
        var failingStatusQueries = 0
        /// `POST /v1/multi-status` answered 404 (an API without it).
        var multiStatusRemoved = false
        var callbackDelay: Duration = .milliseconds(200)
        var callbackStyle: FakeCallbackStyle = .get
        var callbacks: [FakeCallbackRecord] = []
        /// Callbacks decided under the lock, started once it is released.
        var pendingCallbacks: [FakeCallbackJob] = []
        var nextCallbackTaskID: UInt64 = 0
        var callbackTasks: [UInt64: Scheduled<Void>] = [:]
        /// Every request made to a reply URL.
        var replies: [FakeReplyRecord] = []
        /// The last id given to a reply (its `messageId`, or a `concat-ref`).
        var nextInboundID = 900_000_000
        var queue: [FakeReply] = []
        var defaultReply: FakeReply = .accept
        var credits = 1000
        var latency: Duration = .zero
        /// `bulk-status-by-tag` requests still to fail with HTTP 503.
        var failingLookups = 0
        /// Replies for the next `bulk-status-by-tag` requests (`.accept`: the real answer).
        var lookupQueue: [FakeReply] = []
        var nextMessageID = 1
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    /// The API key the fake accepts.
    let apiKey: String
    let state = Mutex(State())

    /// The largest body kept; a bigger one is answered with 413.
    static let maxBodySize = 32 * 1024 * 1024

    init(apiKey: String) {
        self.apiKey = apiKey
    }

    // MARK: Configuration

    func enqueue(_ replies: [FakeReply]) {
        state.withLock { $0.queue.append(contentsOf: replies) }
    }

    func setDefaultReply(_ reply: FakeReply) {
        state.withLock { $0.defaultReply = reply }
    }

    func setCredits(_ credits: Int) {
        state.withLock { $0.credits = credits }
    }

    func setLatency(_ latency: Duration) {
        state.withLock { $0.latency = latency }
    }

    func failTagLookups(_ count: Int) {
        state.withLock { $0.failingLookups = count }
    }

    func enqueueTagLookups(_ replies: [FakeReply]) {
        state.withLock { $0.lookupQueue.append(contentsOf: replies) }
    }

    var pendingReplies: [FakeReply] { state.withLock { $0.queue } }

    func setMeError(code: Int?) {
        state.withLock { $0.meError = code }
    }

    func reset() {
        state.withLock {
            $0.requests = []
            $0.delivered = []
            $0.accepted = []
            $0.acceptedNumbers = [:]
            $0.queue = []
            $0.defaultReply = .accept
            $0.deliveryScripts = [:]
            $0.deliveryPositions = [:]
            $0.defaultDeliveryStatus = .delivered
            $0.callbacks = []
            $0.replies = []
        }
    }

    // MARK: Records

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    var deliveredMessages: [SendRequestBody] { state.withLock { $0.delivered } }

    var acceptedMessages: [FakeAcceptedMessage] { state.withLock { $0.accepted } }

    func waitForRequests(count: Int, timeout: Duration) async -> Bool {
        let id: UInt64? = state.withLock {
            if $0.requests.count >= count { return nil }
            $0.nextWaiterID += 1
            return $0.nextWaiterID
        }
        guard let id else { return true }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.finishWaiter(id, result: false)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let satisfied = state.withLock {
                    if $0.requests.count >= count { return true }
                    $0.waiters[id] = Waiter(count: count, continuation: continuation)
                    return false
                }
                if satisfied { continuation.resume(returning: true) }
            }
        } onCancel: {
            self.finishWaiter(id, result: false)
        }
    }

    private func finishWaiter(_ id: UInt64, result: Bool) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: result)
    }

    // MARK: Connections

    func register(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLock { $0.connections[key] = channel }
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: key) }
        }
    }

    /// The open connections, forgotten.
    func takeConnections() -> [any Channel] {
        state.withLock {
            let channels = Array($0.connections.values)
            $0.connections = [:]
            return channels
        }
    }

    // MARK: Decisions

    /// Records `incoming` and decides what to answer.
    func handle(_ incoming: Incoming) -> FakeAction {
        let target = RequestTarget(incoming.uri)
        let request = RecordedRequest(
            method: incoming.method, path: target.path, query: target.query, uri: incoming.uri,
            headerFields: incoming.headerFields, body: incoming.body, reply: "",
            receivedAt: .now)
        let (action, waiters, callbacks): (FakeAction, [Waiter], [FakeCallbackJob]) = state.withLock { state in
            var (action, summary) = decide(request, target: target, tooLarge: incoming.bodyTooLarge, state: &state)
            if state.latency > .zero {
                action = .delay(state.latency, action)
            }
            state.requests.append(request.replying(summary))
            let count = state.requests.count
            let ready = state.waiters.filter { $0.value.count <= count }
            for id in ready.keys { state.waiters.removeValue(forKey: id) }
            let callbacks = state.pendingCallbacks
            state.pendingCallbacks = []
            return (action, Array(ready.values), callbacks)
        }
        for waiter in waiters { waiter.continuation.resume(returning: true) }
        startCallbacks(callbacks)
        return action
    }

    private func decide(
        _ request: RecordedRequest, target: RequestTarget, tooLarge: Bool, state: inout State
    ) -> (FakeAction, String) {
        if tooLarge {
            var response = FakeResponse.httpError(413, "Requête trop volumineuse")
            response.closeConnection = true
            return (.respond(response), "http 413 (body over \(Self.maxBodySize) bytes)")
        }
        switch (request.method, target.path) {
        case ("POST", "/v1/send"):
            return decideSend(request, state: &state)
        case ("GET", "/v1/me"):
            return decideMe(request, state: state)
        case ("GET", "/v1/bulk-status-by-tag"):
            return decideStatusByTag(request, state: &state)
        case ("GET", "/v1/message-status"):
            return decideMessageStatus(request, state: &state)
        case ("POST", "/v1/multi-status"):
            return decideMultiStatus(request, state: &state)
        case (_, "/v1/send"), (_, "/v1/me"), (_, "/v1/bulk-status-by-tag"), (_, "/v1/message-status"), (_, "/v1/multi-status"):
            var response = FakeResponse.httpError(405, "Méthode non autorisée")
            response.extraHeaders = [("Allow", ["/v1/send", "/v1/multi-status"].contains(target.path) ? "POST" : "GET")]
            return (.respond(response), "http 405 (\(request.method) \(target.path))")
        default:
            return (.respond(.httpError(404, "Introuvable")), "http 404 (\(request.method) \(target.path))")
        }
    }

    /// The HTTP 400 for a body whose `Content-Type` is not `application/json` (parameters and
    /// case ignored), or nil.
    func refuseUnlessJSON(_ request: RecordedRequest) -> (FakeAction, String)? {
        let contentType = request.header("content-type") ?? ""
        let mediaType = contentType.split(separator: ";").first.map {
            String($0.filter { $0 != " " && $0 != "\t" }).lowercased()
        }
        guard mediaType != "application/json" else { return nil }
        return (
            .respond(.httpError(400, "Le corps de la requête doit être du JSON (Content-Type: application/json)")),
            "http 400 (Content-Type \"\(contentType)\" is not application/json)"
        )
    }

    private func decideSend(_ request: RecordedRequest, state: inout State) -> (FakeAction, String) {
        if let refusal = refuseUnlessJSON(request) { return refusal }
        guard let body = request.sendBody else {
            return (
                .respond(.httpError(400, "Le corps de la requête n'est pas un objet JSON valide")),
                "http 400 (body is not a valid JSON object)"
            )
        }
        if let failure = SendValidator.validate(body, apiKey: apiKey) {
            return (.respond(.json(400, failure.error.json)), failure.summary)
        }
        let reply = state.queue.isEmpty ? state.defaultReply : state.queue.removeFirst()
        return (resolve(reply, body: body, state: &state), reply.summary)
    }

    /// Turns a reply into an action; an accept is delivered and numbered now.
    private func resolve(_ reply: FakeReply, body: SendRequestBody, state: inout State) -> FakeAction {
        switch reply {
        case .slowAccept(let duration):
            return .later(duration) { [self] in
                let (action, callbacks) = self.state.withLock { state in
                    let action = self.resolve(.accept, body: body, state: &state)
                    defer { state.pendingCallbacks = [] }
                    return (action, state.pendingCallbacks)
                }
                self.startCallbacks(callbacks)
                return action
            }
        case .acceptThenReset:
            _ = resolve(.accept, body: body, state: &state)
            return .reset
        case .accept:
            let segments = SMSSegments.count(message: body.message ?? "", unicode: body.isUnicode == 1)
            let nbSMS = segments * body.numbers.count
            let messageID = state.nextMessageID
            state.nextMessageID += 1
            state.delivered.append(body)
            state.accepted.append(FakeAcceptedMessage(messageID: String(messageID), body: body))
            state.acceptedNumbers[String(messageID), default: []].formUnion(body.numbers.map(FakePhoneNumber.canonical))
            if let url = body.urlDlr, !url.isEmpty {
                state.pendingCallbacks += body.numbers.map { number in
                    FakeCallbackJob(
                        url: url, style: state.callbackStyle, delay: state.callbackDelay, messageID: String(messageID),
                        phoneNumber: number, status: finalStatus(of: number, state: state))
                }
            }
            let json =
                #"{"success":true,"code":200,"message_id":\#(messageID),"nb_sms":\#(nbSMS),"#
                + #""cost":\#(JSONText.decimal(thousandths: 45 * nbSMS)),"currency":"EUR"}"#
            return .respond(.json(200, json))
        case .error(let code, let httpStatus):
            return .respond(.json(httpStatus, FakeAPIError.standard(code: code).json))
        case .http(let status, let text, let contentType):
            return .respond(FakeResponse(status: status, contentType: contentType, body: text))
        case .delay(let duration, let then):
            return .delay(duration, resolve(then, body: body, state: &state))
        case .dropConnection:
            return .drop
        case .closeAfterHeaders:
            return .closeAfterHeaders
        }
    }

    /// `GET /v1/bulk-status-by-tag`: one entry per number of every delivered message with the
    /// tag; none is code 4.
    private func decideStatusByTag(_ request: RecordedRequest, state: inout State) -> (FakeAction, String) {
        if let failure = SendValidator.checkAPIKey(request.query["apiKey"], expected: apiKey) {
            return (.respond(.json(400, failure.error.json)), failure.summary)
        }
        if state.failingLookups > 0 {
            state.failingLookups -= 1
            return (.respond(FakeResponse(status: 503, contentType: "text/html", body: "<html>503 Service Unavailable</html>")), "lookup http 503")
        }
        if !state.lookupQueue.isEmpty, state.lookupQueue[0] != .accept {
            let reply = state.lookupQueue.removeFirst()
            return (lookupAction(reply), "lookup " + reply.summary)
        }
        if !state.lookupQueue.isEmpty { state.lookupQueue.removeFirst() }
        guard let tag = request.query["tag"], !tag.isEmpty else {
            return (.respond(.json(400, FakeAPIError.standard(code: 3).json)), "lookup without a tag")
        }
        let numbers = state.delivered.filter { $0.tag == tag }.flatMap(\.numbers)
        guard !numbers.isEmpty else {
            return (.respond(.json(400, #"{"success":false,"code":4,"message":"Message introuvable"}"#)), "lookup \(tag): not found")
        }
        // Each number's status as the status routes give it (its script, else the default).
        let entries = numbers.map { number in
            let status = nextStatus(of: number, state: &state)
            return #"{"phoneNumber":"# + JSONText.quoted(number) + #","status":"# + JSONText.quoted(status.text)
                + #","stopSMS":\#(status.stopSms),"date":"1764600000"}"#
        }
        let json = #"{"success":true,"code":200,"currentPage":1,"total":\#(entries.count),"StatutResponse_List":["#
            + entries.joined(separator: ",") + "]}"
        return (.respond(.json(200, json)), "lookup \(tag): \(entries.count) found")
    }

    /// A queued lookup reply: raw answers, delays and dropped connections (a lookup takes nothing).
    private func lookupAction(_ reply: FakeReply) -> FakeAction {
        switch reply {
        case .http(let status, let text, let contentType): .respond(FakeResponse(status: status, contentType: contentType, body: text))
        case .error(let code, let httpStatus): .respond(.json(httpStatus, FakeAPIError.standard(code: code).json))
        case .delay(let duration, let then): .delay(duration, lookupAction(then))
        case .dropConnection, .acceptThenReset: .drop
        case .closeAfterHeaders: .closeAfterHeaders
        case .accept, .slowAccept: .respond(.json(200, #"{"success":true,"code":200,"currentPage":1,"total":0,"StatutResponse_List":[]}"#))
        }
    }

    private func decideMe(_ request: RecordedRequest, state: State) -> (FakeAction, String) {
        if let failure = SendValidator.checkAPIKey(request.query["apiKey"], expected: apiKey) {
            return (.respond(.json(400, failure.error.json)), failure.summary)
        }
        if let code = state.meError {
            return (.respond(.json(400, FakeAPIError.standard(code: code).json)), "me: error \(code)")
        }
        let credits = state.credits
        let json =
            #"{"success":true,"code":200,"user":{"username":"fake","firstname":"Fake","lastname":"Partner"},"#
            + #""credits":{"creditSms":\#(credits),"creditSmsECO":0,"creditHlr":0,"toSend":0,"#
            + #""balance":"\#(JSONText.fixed3(45 * credits))","currency":"EUR"}}"#
        return (.respond(.json(200, json)), "me")
    }
}
