import Hummingbird
import Testing

@testable import NotifyServer

/// The small pure parts of `serve`'s limits.
@Suite struct ServeLimitsTests {
    @Test func metricRoutesComeFromAFixedSet() {
        #expect(RouteLabel.of("/alertmanager") == "/alertmanager")
        #expect(RouteLabel.of("/alertmanager/") == "/alertmanager")
        #expect(RouteLabel.of("/healthz") == "/healthz")
        for path in ["/", "", "/alertmanager/x", "/probe/123", "/ALERT", String(repeating: "/x", count: 1000)] {
            #expect(RouteLabel.of(path) == "unmatched", "\(path.prefix(40))")
        }
        #expect(RouteLabel.of(endpoint: "/alert", path: "/whatever") == "/alert")
        #expect(RouteLabel.of(endpoint: "NotFound", path: "/alert") == "unmatched")
        #expect(RouteLabel.of(endpoint: nil, path: "/metrics") == "/metrics")
        #expect(RequestMetricsMiddleware<BasicRequestContext>.methodLabel(.init("PROPFIND")!) == "_OTHER")
        #expect(RequestMetricsMiddleware<BasicRequestContext>.methodLabel(.post) == "POST")
    }

    @Test func theConnectionCapStaysBelowTheOpenFilesLimit() {
        #expect(OpenFilesLimit.connectionCap(configured: 512, limit: 524_288) == 512)
        #expect(OpenFilesLimit.connectionCap(configured: 512, limit: 256) == 192)
        #expect(OpenFilesLimit.connectionCap(configured: 512, limit: 10) == 1)
        #expect(OpenFilesLimit.connectionCap(configured: 100, limit: nil) == 100)
    }

    @Test func onlyJSONIsAccepted() {
        for accepted in ["application/json", "application/json; charset=utf-8", "Application/JSON", " application/json ;x=y"] {
            #expect(WebhookServer.isJSON(accepted), "\(accepted)")
        }
        for refused in [nil, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                        "application/jsonp", "application/json-seq", "text/json"] as [String?] {
            #expect(!WebhookServer.isJSON(refused), "\(String(describing: refused))")
        }
    }
}
