/// The `route` of `serve`'s metrics: one of its routes, or `unmatched`, never a path a client
/// chose (each distinct value is a new series, held for the life of the process).
enum RouteLabel {
    /// Every route `serve` answers.
    static let routes: Set<String> = ["/alertmanager", "/alert", "/healthz", "/metrics", receipts, replies]
    /// The receipt callback, whatever token its path carries.
    static let receipts = "/smspartner/dlr/{token}"
    /// The reply callback, whatever token its path carries.
    static let replies = "/smspartner/reply/{token}"
    /// What any other path counts as.
    static let unmatched = "unmatched"

    /// `path` when it is one of ``routes`` (a trailing `/` aside), else ``unmatched``.
    static func of(_ path: String) -> String {
        if routes.contains(path) { return path }
        if path.hasPrefix(ReceiptIntake.prefix) { return receipts }
        if path.hasPrefix(ReplyIntake.prefix) { return replies }
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return routes.contains(String(trimmed)) ? String(trimmed) : unmatched
    }

    /// The route the router matched (its template, from a fixed set), else what ``of(_:)``
    /// makes of the path: the router never saw a request refused before it (401, 403).
    static func of(endpoint: String?, path: String) -> String {
        if let endpoint, routes.contains(endpoint) { return endpoint }
        if let endpoint, endpoint.hasPrefix(ReceiptIntake.prefix) { return receipts }
        if let endpoint, endpoint.hasPrefix(ReplyIntake.prefix) { return replies }
        return endpoint == nil ? of(path) : unmatched
    }
}
