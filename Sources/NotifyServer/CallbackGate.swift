import Hummingbird
import NotifyCore

/// What the callback routes SMSPartner calls (receipts, replies) check before reading
/// anything: that the route is enabled, that the path's token is the secret, and that the body
/// (of a `POST`) arrives whole within its limit. Each refusal is counted under `result`
/// (`disabled`, `forbidden`, `invalid`) and answered: 404, 403, or the body's 4xx.
struct CallbackGate {
    /// The route's token (nil: the route is off).
    var expected: ReceiptToken?
    /// The 404's words when it is off.
    var disabled: String
    /// The 403's words.
    var forbidden: String
    var maxBody: Int
    /// Counts a refusal by its result.
    var count: (String) -> Void
    /// Logs a wrong token (throttled by the caller).
    var warnForbidden: () -> Void

    /// Routes `GET` and `POST` of `prefix` + `:token` to `handle`, with the path's token.
    static func register(_ prefix: String, on router: Router<BasicRequestContext>,
                         _ handle: @escaping @Sendable (Request, String) async -> Response) {
        for method in [HTTPRequest.Method.get, .post] {
            router.on(RouterPath(stringLiteral: prefix + ":token"), method: method) { request, context -> Response in
                await handle(request, context.parameters.get("token") ?? "")
            }
        }
    }

    /// What ``open(_:token:)`` found.
    enum Opened {
        /// The body (empty for a `GET`).
        case body([UInt8])
        /// The answer that refuses the request.
        case refused(Response)
    }

    func open(_ request: Request, token: String) async -> Opened {
        guard let expected else {
            count("disabled")
            return .refused(WebhookServer.json(IntakeReply(status: 404, message: disabled)))
        }
        guard expected.matches(token) else {
            count("forbidden")
            warnForbidden()
            return .refused(WebhookServer.json(IntakeReply(status: 403, message: forbidden)))
        }
        guard request.method == .post else { return .body([]) }
        switch await WebhookServer.body(of: request, limit: maxBody) {
        case .success(let bytes): return .body(bytes)
        case .failure(let refusal):
            count("invalid")
            return .refused(WebhookServer.json(refusal.reply))
        }
    }
}
