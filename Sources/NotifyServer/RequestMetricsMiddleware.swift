import Dispatch
import Hummingbird
import Metrics

/// Request metrics whose labels come from fixed sets, in place of Hummingbird's
/// `MetricsMiddleware` (same names):
///
/// - `http_server_active_requests{http_request_method}`: requests being handled; a request
///   leaves it when its handler returns or throws, whether or not its answer can still be
///   written (Hummingbird's counted it until the answer was written, and never uncounted one
///   whose connection was closed first);
/// - `http_server_request_duration{http_route,http_request_method,http_response_status_code}`
///   (a histogram) and `hb_requests_total` with the same labels; `hb_request_errors_total`
///   for handlers that threw.
///
/// `http_route` is one of `serve`'s routes or `unmatched` (``RouteLabel``), the method one of
/// the common ones or `_OTHER`: no client can add a series. The names are written as the
/// Prometheus text has them (`_`, not `.`): swift-prometheus rewrites any other name on
/// every call, which cost a third of a duplicate webhook's time.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The method's name when it is one of the common ones, else `_OTHER`.
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options, .connect, .trace: method.rawValue
        default: "_OTHER"
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = Self.methodLabel(request.method)
        let active = Meter(label: "http_server_active_requests", dimensions: [("http_request_method", method)])
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            record(request, context: context, method: method, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            let route = record(request, context: context, method: method, status: status, since: start)
            Counter(label: "hb_request_errors", dimensions: [
                ("http_route", route), ("http_request_method", method), ("error_type", String(status)),
            ]).increment()
            throw error
        }
    }

    @discardableResult
    func record(_ request: Request, context: Context, method: String, status: Int, since start: UInt64) -> String {
        let route = RouteLabel.of(endpoint: context.endpointPath, path: request.uri.path)
        let dimensions = [("http_route", route), ("http_request_method", method), ("http_response_status_code", String(status))]
        Counter(label: "hb_requests", dimensions: dimensions).increment()
        Timer(label: "http_server_request_duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .recordNanoseconds(DispatchTime.now().uptimeNanoseconds - start)
        return route
    }
}
