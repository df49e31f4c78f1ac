/// What the connection handler does with one request, as decided by ``FakeSMSPartnerCore``.
indirect enum FakeAction: Sendable {
    /// Write a complete response.
    case respond(FakeResponse)
    /// Wait on the event loop, then do the next action.
    case delay(Duration, FakeAction)
    /// Wait on the event loop, then run `resolve` whether or not the connection is still open
    /// (the provider acts on the request either way), and do what it returns if it is.
    case later(Duration, @Sendable () -> FakeAction)
    /// Close the connection without writing anything.
    case drop
    /// Reset the connection (SO_LINGER 0, then close: a TCP RST) without writing anything.
    case reset
    /// Write a `200 OK` head that announces a body, then close.
    case closeAfterHeaders
}

/// A complete HTTP response of the fake.
struct FakeResponse: Sendable {
    /// The HTTP status code.
    let status: Int
    /// The `Content-Type` header.
    let contentType: String
    /// The body text (sent as UTF-8).
    let body: String
    /// Whether to close the connection after this response whatever the request asked.
    var closeConnection = false
    /// Further header fields, e.g. `Allow` on a 405.
    var extraHeaders: [(String, String)] = []

    /// The content type of every JSON reply.
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON response.
    static func json(_ status: Int, _ body: String) -> FakeResponse {
        FakeResponse(status: status, contentType: jsonContentType, body: body)
    }

    /// A JSON `{"success":false,"code":<status>,"message":…}` for HTTP-level errors (400, 404, 405, 413).
    static func httpError(_ status: Int, _ message: String) -> FakeResponse {
        json(status, #"{"success":false,"code":\#(status),"message":"# + JSONText.quoted(message) + "}")
    }
}
