import Hummingbird
import Logging
import NIOPosix
import NotifyCore
import NotifyState
import SMSPartner

/// `GET` and `POST /smspartner/dlr/<token>`: the delivery receipts SMSPartner pushes to the
/// `urlDlr` each send carries (`receipts.callback_url`). The token is the credential: Basic
/// and Bearer do not apply (SMSPartner cannot send them), a wrong token gets 403 and changes
/// nothing. SMSPartner does not document the callback: query, form or JSON fields are read
/// (``DeliveryCallback``), and polling stays the safety net for what no push settles.
struct ReceiptIntake: Sendable {
    let runtime: ServerRuntime
    let metrics: ServerMetrics
    let health: StoreHealth
    let logger: Logger
    let record: @Sendable ([ReceiptFinal]) -> Void
    /// Refusals are logged at most once a minute: a client with a wrong token cannot fill the log.
    let warnings = Throttle(interval: .seconds(60))

    /// The route's path prefix; the token follows it.
    static let prefix = "/smspartner/dlr/"
    /// The largest callback body read.
    static let maxBody = 16 * 1024

    func register(on router: Router<BasicRequestContext>) {
        CallbackGate.register(Self.prefix, on: router) { request, token in await handle(request, token: token) }
    }

    func handle(_ request: Request, token: String) async -> Response {
        let snapshot = runtime.snapshot
        let gate = CallbackGate(
            expected: snapshot.credentials.receiptToken, disabled: "receipts are not pushed here: receipts.token_file is not set",
            forbidden: "wrong receipt token", maxBody: Self.maxBody, count: metrics.receiptCallback,
            warnForbidden: {
                if warnings.allow() { logger.warning("delivery receipt refused: wrong token (counted in smspartner_receipt_callbacks_total, logged once a minute)") }
            })
        let body: [UInt8]
        switch await gate.open(request, token: token) {
        case .body(let bytes): body = bytes
        case .refused(let refusal): return refusal
        }
        let query = request.uri.query
        logger.debug("delivery receipt pushed", metadata: [
            "query": .string(String((query ?? "").prefix(1024))),
            "body": .string(String(decoding: body.prefix(1024), as: UTF8.self)),
        ])
        let callback: DeliveryCallback
        switch DeliveryCallback.parse(query: query, body: body, contentType: request.headers[.contentType]) {
        case .success(let parsed): callback = parsed
        case .failure(let error):
            metrics.receiptCallback("invalid")
            if warnings.allow() { logger.warning("delivery receipt refused: \(error)") }
            return WebhookServer.json(IntakeReply(status: 400, message: "\(error)"))
        }
        let poller = snapshot.settings.receiptPoller(store: runtime.store, sender: snapshot.sender)
        do {
            let outcome = try await NIOThreadPool.singleton.runIfActive { try poller.record(callback) }
            switch outcome {
            case .recorded(let finals):
                metrics.receiptCallback("recorded")
                record(finals)
                return WebhookServer.json(IntakeReply(status: 200, message: "recorded"))
            case .unchanged:
                metrics.receiptCallback("unchanged")
                return WebhookServer.json(IntakeReply(status: 200, message: "nothing to change"))
            case .unknown:
                // 200 all the same: SMSPartner has nothing better to send, and retrying helps no one.
                metrics.receiptCallback("unknown")
                logger.info("delivery receipt for a message not tracked here", metadata: [
                    "message_id": .string(String((callback.messageID ?? "").prefix(64))),
                ])
                return WebhookServer.json(IntakeReply(status: 200, message: "no such message here"))
            }
        } catch let error as StateError {
            health.failed(.intake, error)
            return WebhookServer.json(IntakeReply(status: 503, message: "the state store is unavailable, try again: \(error)"))
        } catch {
            return WebhookServer.json(IntakeReply(status: 503, message: "try again: \(error)"))
        }
    }
}
