import Hummingbird
import Logging
import NIOPosix
import NotifyCore
import NotifyState
import SMSPartner

/// `GET` and `POST /smspartner/reply/<token>`: SMS replies (two-way paging), as SMSPartner
/// posts them to the reply URL of the account or of each send (`urlResponse`). The token
/// (`two_way.token_file`) is the credential: Basic and Bearer do not apply, a wrong token
/// gets 403 and changes nothing. Both shapes are read (``ReplyCallback``); the parts of a long
/// reply are put back together (``ReplyAssembler``); ``ReplyHandler`` acts on the whole.
///
/// Every reply with the right token gets 200, acted on or not: SMSPartner has nothing better
/// to send, and a stranger learns nothing from the answer.
struct ReplyIntake: Sendable {
    let runtime: ServerRuntime
    let metrics: ServerMetrics
    let health: StoreHealth
    let logger: Logger
    /// Wakes the worker: an answer was queued.
    let queued: @Sendable () -> Void
    /// A reply waits on its source (Nagios, Icinga 2, Alertmanager) for up to
    /// ``sourceTimeout``: on threads of its own, so that webhooks never wait behind it.
    let pool: NIOThreadPool
    let assembler = ReplyAssembler()
    /// Refusals and strangers are logged at most once a minute each.
    let refusals = Throttle(interval: .seconds(60))
    let strangers = Throttle(interval: .seconds(60))

    static let prefix = "/smspartner/reply/"
    /// Threads acting on replies: at most this many wait on sources at once; more replies queue.
    static let threads = 2
    /// The longest a source is given to acknowledge.
    static let sourceTimeout = Duration.seconds(10)

    func register(on router: Router<BasicRequestContext>) {
        CallbackGate.register(Self.prefix, on: router) { request, token in await handle(request, token: token) }
    }

    func handle(_ request: Request, token: String) async -> Response {
        let snapshot = runtime.snapshot
        let gate = CallbackGate(
            expected: snapshot.configuration.twoWay.enabled ? snapshot.credentials.replyToken : nil,
            disabled: "replies are not taken here: two_way.token_file is not set", forbidden: "wrong reply token",
            maxBody: ReplyCallback.maxBodyBytes, count: metrics.replyCallback,
            warnForbidden: {
                if refusals.allow() { logger.warning("SMS reply refused: wrong token (counted in smspartner_reply_callbacks_total, logged once a minute)") }
            })
        let body: [UInt8]
        switch await gate.open(request, token: token) {
        case .body(let bytes): body = bytes
        case .refused(let refusal): return refusal
        }
        let part: ReplyCallback
        switch ReplyCallback.parse(query: request.uri.query, body: body, contentType: request.headers[.contentType]) {
        case .success(let parsed): part = parsed
        case .failure(let error):
            metrics.replyCallback("invalid")
            if refusals.allow() { logger.warning("SMS reply refused: \(error)") }
            return WebhookServer.json(IntakeReply(status: 400, message: "\(error)"))
        }
        guard let reply = assembler.add(part, at: snapshot.settings.clock()) else {
            metrics.replyCallback("partial")
            return WebhookServer.json(IntakeReply(status: 200, message: "part kept until the rest arrives"))
        }
        let handler = ReplyHandler(settings: snapshot.configuration.twoWay, outbox: snapshot.outbox,
                                   timeout: min(snapshot.configuration.timeout, Self.sourceTimeout))
        let report: ReplyReport
        do {
            report = try await pool.runIfActive { try handler.handle(reply) }
        } catch let error as StateError {
            health.failed(.intake, error)
            return WebhookServer.json(IntakeReply(status: 503, message: "the state store is unavailable, try again: \(error)"))
        } catch {
            return WebhookServer.json(IntakeReply(status: 503, message: "try again: \(error)"))
        }
        metrics.replyCallback(report.outcome.rawValue)
        log(report, text: reply.text)
        if report.answer != nil || report.notices > 0 { queued() }
        return WebhookServer.json(IntakeReply(status: 200, message: report.outcome == .ignored ? "ok" : report.outcome.rawValue))
    }

    /// One line per reply (`serve`'s log handler escapes every value); a stranger's at most
    /// once a minute.
    func log(_ report: ReplyReport, text: String) {
        var metadata: Logger.Metadata = [
            "from": .string(report.sender),
            "text": .string(String(text.prefix(160))),
        ]
        if let alert = report.alert { metadata["alert"] = .string(alert) }
        if let detail = report.detail { metadata["detail"] = .string(String(detail.prefix(200))) }
        switch report.outcome {
        case .ignored:
            if strangers.allow() { logger.warning("SMS reply ignored: not from a number sent an alert nor on_call (logged once a minute)", metadata: metadata) }
        case .stop:
            logger.warning("SMS reply STOP recorded: SMSPartner may refuse further SMS to this number", metadata: metadata)
        case .failed:
            logger.error("SMS reply: the alert could not be acknowledged at its source", metadata: metadata)
        default:
            logger.info("SMS reply: \(report.outcome.rawValue)", metadata: metadata)
        }
    }
}
