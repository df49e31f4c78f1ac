import Hummingbird

/// Refuses, with 401 and a challenge, a request without valid Basic or Bearer credentials
/// when `serve` has any configured (`GET /healthz` stays open for probes, and the receipt
/// and reply callbacks have their own tokens: ``ReceiptIntake``, ``ReplyIntake``). The credentials
/// are read from the runtime at each request, so SIGHUP changes them.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let runtime: ServerRuntime
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let credentials = runtime.snapshot.credentials
        let path = request.uri.path
        guard path != "/healthz", !path.hasPrefix(ReceiptIntake.prefix), !path.hasPrefix(ReplyIntake.prefix),
              !credentials.accepts(request.headers[.authorization]) else {
            return try await next(request, context)
        }
        metrics.refused(path: request.uri.path, status: 401)
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = credentials.challenge
        headers[.contentType] = "application/json"
        return Response(status: .unauthorized, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: IntakeReply(status: 401, message: "authentication required").body)))
    }
}
