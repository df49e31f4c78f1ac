/// A request that got no usable HTTP response. Each case carries libcurl's own explanation.
public enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The exchange did not finish within its time limit (the server may have received the request).
    case timedOut(String)
    /// No connection could be made: name resolution failed, or the port refused or was unreachable.
    case couldNotConnect(String)
    /// The connection broke, or closed without a reply, after the request was sent.
    case connectionLost(String)
    /// TLS could not be established or the server's certificate did not verify.
    case tls(String)
    /// The URL cannot be used at all (malformed, or not http/https). A configuration error.
    case invalidURL(String)
    /// The server's reply was larger than the client accepts.
    case responseTooLarge(limit: Int)
    /// Any other libcurl failure, with its CURLcode.
    case other(code: Int, message: String)

    /// Whether trying again later may succeed.
    public var isTransient: Bool {
        switch self {
        case .invalidURL: false
        case .timedOut, .couldNotConnect, .connectionLost, .tls, .responseTooLarge, .other: true
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let text): "timed out (\(text))"
        case .couldNotConnect(let text): "could not connect (\(text))"
        case .connectionLost(let text): "connection lost (\(text))"
        case .tls(let text): "TLS failure (\(text))"
        case .invalidURL(let text): "unusable URL (\(text))"
        case .responseTooLarge(let limit): "reply larger than \(limit) bytes"
        case .other(let code, let text): "transfer failed (curl error \(code): \(text))"
        }
    }
}
