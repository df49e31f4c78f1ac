import Hummingbird

/// Refuses, with 403, a request that carries an `Origin` header not listed in
/// `serve.allowed_origins` (none by default): a browser adds one to what a web page sends, so
/// a page open on the same host cannot queue SMS through a `serve` without credentials. Alertmanager, Prometheus
/// and probes send none. `serve` sends no CORS headers: an allowed origin only gets through.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let runtime: ServerRuntime
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = runtime.snapshot.configuration.serve.allowedOrigins
        guard !allowed.contains(origin.lowercased()) else { return try await next(request, context) }
        metrics.refused(path: request.uri.path, status: 403)
        return WebhookServer.json(IntakeReply(
            status: 403, message: "requests from web pages are refused: their Origin is not in serve.allowed_origins"))
    }
}
