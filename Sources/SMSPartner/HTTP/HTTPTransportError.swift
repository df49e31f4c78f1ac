/// A request that got no usable HTTP response. Each case carries libcurl's own explanation.
public enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The exchange did not finish within its time limit, before the whole request was sent
    /// (the server cannot have acted on it).
    case timedOut(String)
    /// No connection could be made: name resolution failed, or the port refused or was unreachable.
    case couldNotConnect(String)
    /// The connection broke before the whole request was sent.
    case connectionLost(String)
    /// The whole request was sent, then no complete answer came: it timed out, or the
    /// connection was reset or closed. The server may have acted on it; its outcome is unknown.
    case noAnswer(String)
    /// TLS could not be established or the server's certificate did not verify.
    case tls(String)
    /// The URL cannot be used at all (malformed, or not http/https). A configuration error.
    case invalidURL(String)
    /// The server's reply was larger than the client accepts.
    case responseTooLarge(limit: Int)
    /// Any other libcurl failure, with its CURLcode.
    case other(code: Int, message: String)

    /// Whether the server may have received the whole request and acted on it: the request
    /// was sent, but what became of it is not known.
    public var outcomeUnknown: Bool {
        if case .noAnswer = self { true } else { false }
    }

    /// This failure as it stands once the whole request was sent: ``noAnswer(_:)``, except
    /// where nothing can have reached the server (no connection, an unusable URL).
    var unanswered: HTTPTransportError? {
        switch self {
        case .timedOut(let text), .connectionLost(let text), .tls(let text), .other(_, let text): .noAnswer(text)
        case .responseTooLarge(let limit): .noAnswer("a reply larger than \(limit) bytes, not read")
        case .noAnswer: self
        case .couldNotConnect, .invalidURL: nil
        }
    }

    /// The same error with every run of the key removed from its text.
    func redacted(by redactor: KeyRedactor) -> HTTPTransportError {
        let limit = 500
        return switch self {
        case .timedOut(let t): .timedOut(redactor.redact(t, limit: limit))
        case .couldNotConnect(let t): .couldNotConnect(redactor.redact(t, limit: limit))
        case .connectionLost(let t): .connectionLost(redactor.redact(t, limit: limit))
        case .noAnswer(let t): .noAnswer(redactor.redact(t, limit: limit))
        case .tls(let t): .tls(redactor.redact(t, limit: limit))
        case .invalidURL(let t): .invalidURL(redactor.redact(t, limit: limit))
        case .responseTooLarge: self
        case .other(let code, let t): .other(code: code, message: redactor.redact(t, limit: limit))
        }
    }

    /// The same error with every run of `secret` (a password, a token) replaced by
    /// `<redacted>`, for a caller whose request carried a secret of its own.
    public func redacting(_ secret: String) -> HTTPTransportError {
        redacted(by: KeyRedactor(key: secret))
    }

    /// Whether trying again later may succeed.
    public var isTransient: Bool {
        switch self {
        case .invalidURL: false
        case .timedOut, .couldNotConnect, .connectionLost, .noAnswer, .tls, .responseTooLarge, .other: true
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let text): "timed out (\(text))"
        case .couldNotConnect(let text): "could not connect (\(text))"
        case .connectionLost(let text): "connection lost (\(text))"
        case .noAnswer(let text): "no answer after the request was sent (\(text))"
        case .tls(let text): "TLS failure (\(text))"
        case .invalidURL(let text): "unusable URL (\(text))"
        case .responseTooLarge(let limit): "reply larger than \(limit) bytes"
        case .other(let code, let text): "transfer failed (curl error \(code): \(text))"
        }
    }
}
