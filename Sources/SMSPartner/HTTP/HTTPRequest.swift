/// One HTTP request for ``CurlHTTPClient``.
public struct HTTPRequest: Sendable, Equatable {
    /// The methods the SMSPartner API uses.
    public enum Method: String, Sendable, Equatable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    /// Absolute `http` or `https` URL. May carry secrets in its query: never log it.
    public var url: String
    /// Extra header lines (`Name: value`), sent in order.
    public var headers: [String]
    /// The request body, for POST.
    public var body: [UInt8]
    /// Longest time to establish the connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Longest time for the whole exchange, connection included.
    public var timeout: Duration

    public init(
        method: Method,
        url: String,
        headers: [String] = [],
        body: [UInt8] = [],
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// What the server answered.
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The response body, at most ``CurlHTTPClient/maxResponseBytes`` long.
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// The body as UTF-8 text (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
