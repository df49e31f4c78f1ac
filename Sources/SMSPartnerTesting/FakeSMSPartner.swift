import NIOCore
import NIOHTTP1
import NIOPosix

/// A fake SMSPartner HTTP API on 127.0.0.1, for tests and benchmarks.
///
/// It follows `shared/smspartner-api.md`:
///
/// - `POST /v1/send` validates the body like the real API (codes 1, 10, 2 and 9, answered with
///   HTTP 400 without consuming the reply queue), then answers with the next queued
///   ``FakeReply`` or the default one. Accepted sends are kept with their message id
///   (``acceptedMessages``); one that carries `urlDlr` gets a delivery-receipt callback per
///   number (see ``setCallbackStyle(_:)``), recorded in ``callbacks``; its `urlResponse` is
///   kept with it.
/// - ``reply(from:text:to:shape:messageID:)`` makes a phone's reply reach a reply URL, in
///   either shape SMSPartner documents, recorded in ``replies``.
/// - `GET /v1/me` reports the credits, or the code set by ``setMeError(code:)``.
/// - `GET /v1/bulk-status-by-tag` lists, per number, the delivered messages that carried the
///   tag (code 4 when none did), each with its status as ``scriptDelivery(to:_:)`` says.
/// - `GET /v1/message-status` and `POST /v1/multi-status` (at most 500 entries, else code 9)
///   report the accepted messages number by number, from ``scriptDelivery(to:_:)``; a message
///   or number the fake did not accept is code 4 (an entry with `"success":false,"code":4` in
///   a multi-status list).
/// - Any other path gets a JSON 404, another method a 405.
///
/// Every request is recorded in ``requests`` (count status calls by their `path`).
///
/// ```swift
/// let fake = try await FakeSMSPartner.start()
/// defer { Task { try? await fake.shutdown() } }
/// fake.enqueue(.http(status: 500, body: "<html>oops</html>"), .accept)
/// // point the client at fake.baseURL with FakeSMSPartner.defaultAPIKey …
/// #expect(fake.deliveredMessages.count == 1)
/// ```
public final class FakeSMSPartner: Sendable {
    /// The API key a fake accepts unless told otherwise.
    public static let defaultAPIKey = "test-key-0123456789abcdef"

    /// The TCP port the fake listens on, on 127.0.0.1.
    public let port: Int

    /// `http://127.0.0.1:<port>/v1`: what `SMSPARTNER_API_URL` is set to.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The API key this fake accepts.
    public var apiKey: String { core.apiKey }

    private let core: FakeSMSPartnerCore
    private let serverChannel: any Channel

    private init(core: FakeSMSPartnerCore, serverChannel: any Channel, port: Int) {
        self.core = core
        self.serverChannel = serverChannel
        self.port = port
    }

    deinit {
        core.cancelCallbacks()
        serverChannel.close(promise: nil)
        for connection in core.takeConnections() {
            connection.close(promise: nil)
        }
    }

    /// Binds 127.0.0.1 on an ephemeral port (port 0) and starts serving.
    ///
    /// - Parameters:
    ///   - apiKey: the only key accepted (others get code 10).
    ///   - port: the port to bind; 0 (the default) lets the system choose a free one.
    public static func start(apiKey: String = FakeSMSPartner.defaultAPIKey, port: Int = 0) async throws
        -> FakeSMSPartner
    {
        let core = FakeSMSPartnerCore(apiKey: apiKey)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    core.register(channel)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FakeSMSPartnerHandler(core: core))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close()
            throw FakeSMSPartnerError.noLocalPort
        }
        return FakeSMSPartner(core: core, serverChannel: channel, port: boundPort)
    }

    /// Queue replies for the next `POST /v1/send` requests that pass validation, consumed
    /// first-in first-out, one per request.
    public func enqueue(_ replies: FakeReply...) {
        core.enqueue(replies)
    }

    /// Queue replies for the next `POST /v1/send` requests that pass validation, consumed
    /// first-in first-out, one per request.
    public func enqueue(_ replies: [FakeReply]) {
        core.enqueue(replies)
    }

    /// The queued replies not consumed yet.
    public var pendingReplies: [FakeReply] { core.pendingReplies }

    /// The reply once the queue is empty (default: `.accept`).
    public func setDefaultReply(_ reply: FakeReply) {
        core.setDefaultReply(reply)
    }

    /// Credits returned by `GET /v1/me` (default 1000). Sends do not use them up.
    public func setCredits(_ creditSms: Int) {
        core.setCredits(creditSms)
    }

    /// A delay added before every response (validation errors and `/me` included), on top of
    /// any ``FakeReply/delay(_:then:)``; `.zero` (the default) for none.
    public func setLatency(_ latency: Duration) {
        core.setLatency(latency)
    }

    /// Makes the next `count` `GET /v1/bulk-status-by-tag` requests fail with HTTP 503.
    public func failTagLookups(_ count: Int) {
        core.failTagLookups(count)
    }

    /// Replies for the next `GET /v1/bulk-status-by-tag` requests, first-in first-out: a raw
    /// `.http` answer, an `.error`, a `.delay`, a dropped connection; `.accept` gives the real
    /// answer (what the fake took under that tag).
    public func enqueueTagLookups(_ replies: FakeReply...) {
        core.enqueueTagLookups(replies)
    }

    /// Makes `GET /v1/me` answer `{"success":false,"code":<code>,…}` with HTTP 400 (10 wrong key,
    /// 20/30/40 account disabled, blocked, denied, 96 IP not allowed…) after checking the key;
    /// nil (the default) reports the credits again.
    public func setMeError(code: Int?) {
        core.setMeError(code: code)
    }

    // MARK: Delivery status

    /// Scripts what the status queries report for `phoneNumber` (any written form: `+336…`,
    /// `06…`, `336…`), whatever message they ask about: the first query gets `outcomes[0]`,
    /// the next `outcomes[1]`, and so on, staying on the last one. The `urlDlr` callback for the
    /// number reports the last one. An empty script is the default status. Replaces any former
    /// script for the number and starts it over.
    public func scriptDelivery(to phoneNumber: String, _ outcomes: [FakeDeliveryStatus]) {
        core.scriptDelivery(to: phoneNumber, outcomes)
    }

    /// What numbers without a script report (default: `.delivered`).
    public func setDefaultDeliveryStatus(_ status: FakeDeliveryStatus) {
        core.setDefaultDeliveryStatus(status)
    }

    /// Makes the next `count` status queries (`GET /v1/message-status`, `POST /v1/multi-status`)
    /// fail with HTTP 503, after the key is checked.
    public func failStatusQueries(_ count: Int) {
        core.failStatusQueries(count)
    }

    /// Answers `POST /v1/multi-status` with a JSON 404, as an API without that route would:
    /// the client must fall back to `GET /v1/message-status`.
    public func removeMultiStatus(_ removed: Bool = true) {
        core.removeMultiStatus(removed)
    }

    /// Every accepted `POST /v1/send`, with the message id answered, in order.
    public var acceptedMessages: [FakeAcceptedMessage] { core.acceptedMessages }

    // MARK: Delivery-receipt callbacks

    /// How long after an accepted send its `urlDlr` is called (default 200 ms).
    public func setCallbackDelay(_ delay: Duration) {
        core.setCallbackDelay(delay)
    }

    /// How `urlDlr` is called (default `.get`); applies to sends accepted from now on.
    public func setCallbackStyle(_ style: FakeCallbackStyle) {
        core.setCallbackStyle(style)
    }

    /// Every `urlDlr` call made, in the order they finished, with the receiver's answer.
    /// Only `http://` URLs to 127.0.0.1 or localhost are called; others are recorded as failed.
    public var callbacks: [FakeCallbackRecord] { core.callbacks }

    /// Suspends until at least `count` callbacks were made or the timeout passes; returns whether they were.
    public func waitForCallbacks(count: Int, timeout: Duration) async -> Bool {
        await core.waitForCallbacks(count: count, timeout: timeout)
    }

    // MARK: Replies

    /// Makes the phone `phoneNumber` reply `text`: calls `url` (an `http://` URL to 127.0.0.1 or
    /// localhost) as SMSPartner calls a reply URL, in `shape`, at once, on an event loop; each
    /// request is recorded in ``replies`` with the receiver's answer.
    ///
    /// `messageID` is the id the reply carries; nil: for ``FakeReplyShape/shortNumberJSON`` the
    /// latest message accepted for that number (none if there is none), for a long number a
    /// fresh id per request. A send's `urlResponse` is in ``deliveredMessages``.
    public func reply(from phoneNumber: String, text: String, to url: String, shape: FakeReplyShape, messageID: String? = nil) {
        core.reply(from: phoneNumber, text: text, to: url, shape: shape, messageID: messageID)
    }

    /// Every request made to a reply URL (one per part of a reply in parts), in the order they
    /// finished, with the receiver's answer. Not ``pendingReplies``, which answer sends.
    public var replies: [FakeReplyRecord] { core.replies }

    /// Suspends until at least `count` reply requests were made or the timeout passes; returns
    /// whether they were.
    public func waitForReplies(count: Int, timeout: Duration) async -> Bool {
        await core.waitForReplies(count: count, timeout: timeout)
    }

    // MARK: Records

    /// Every request received, in arrival order (also those answered with errors or dropped).
    public var requests: [RecordedRequest] { core.requests }

    /// The JSON bodies of `POST /v1/send` requests that were accepted (replied success):
    /// the SMS actually "sent". Sandbox sends are included (check ``SendRequestBody/sandbox``).
    public var deliveredMessages: [SendRequestBody] { core.deliveredMessages }

    /// Suspends until at least `count` requests arrived or the timeout passes; returns whether they did.
    public func waitForRequests(count: Int, timeout: Duration) async -> Bool {
        await core.waitForRequests(count: count, timeout: timeout)
    }

    /// Clears the recorded requests, deliveries, callbacks and replies, the reply queue, the default
    /// reply, the delivery scripts and the default delivery status.
    ///
    /// Message ids keep increasing; credits, latency, the `/me` error and the callback delay
    /// and style are kept.
    public func reset() {
        core.reset()
    }

    /// Stops listening (the port is free when this returns) and closes every open connection.
    public func shutdown() async throws {
        core.cancelCallbacks()
        do {
            try await serverChannel.close()
        } catch ChannelError.alreadyClosed {
            // Shut down twice: nothing left to do.
        }
        for connection in core.takeConnections() {
            try? await connection.close()
        }
    }
}

/// Why ``FakeSMSPartner`` could not start.
public enum FakeSMSPartnerError: Error, Sendable {
    /// The listening socket reported no local port.
    case noLocalPort
}
