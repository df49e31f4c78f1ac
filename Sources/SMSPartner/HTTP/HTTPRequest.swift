import Foundation

/// One HTTP request for ``CurlHTTPClient``.
public struct HTTPRequest: Sendable, Equatable {
    /// The methods the SMSPartner API uses, and `DELETE` (Alertmanager expires a silence with it).
    public enum Method: String, Sendable, Equatable {
        case get = "GET"
        case post = "POST"
        case delete = "DELETE"
    }

    public var method: Method
    /// Absolute `http` or `https` URL. May carry secrets in its query: never log it.
    public var url: String
    /// Extra header lines (`Name: value`), sent in order. May carry credentials
    /// (``basicAuthorization(user:password:)``): never log them.
    public var headers: [String]
    /// The request body, for POST.
    public var body: [UInt8]
    /// Longest time to establish the connection (TCP and TLS).
    public var connectTimeout: Duration
    /// Longest time for the whole exchange, connection included.
    public var timeout: Duration
    /// A PEM file of the certificate authorities that may sign the server's certificate, in
    /// place of the system's (an Icinga 2 API's own CA); nil: the system's. Verification of
    /// the peer and its name stays on either way.
    public var caFile: String?

    public init(
        method: Method,
        url: String,
        headers: [String] = [],
        body: [UInt8] = [],
        connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(10),
        caFile: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
    }

    /// The header line `Authorization: Basic <base64(user:password)>` (RFC 7617, UTF-8).
    ///
    /// Credentials go in this header, never in the URL's userinfo, which libcurl may repeat in
    /// its error messages. The line holds the password: never log it.
    public static func basicAuthorization(user: String, password: String) -> String {
        "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
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
