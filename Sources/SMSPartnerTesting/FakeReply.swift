/// What ``FakeSMSPartner`` answers to one `POST /v1/send` request that passed validation.
///
/// Replies are queued with `FakeSMSPartner.enqueue(_:)` and consumed first-in
/// first-out, one per valid send; once the queue is empty the default reply
/// (``FakeSMSPartner/setDefaultReply(_:)``, `.accept` unless changed) answers.
public indirect enum FakeReply: Sendable, Equatable {
    /// HTTP 200 and `{"success":true,"code":200,"message_id":…,"nb_sms":…,"cost":…,"currency":"EUR"}`.
    ///
    /// `message_id` increases by one per accepted send over the fake's lifetime; `nb_sms` is
    /// segments × recipients (160/153 characters per segment, 70/67 with `isUnicode=1`, `:br:`
    /// counting as two); `cost` is 0.045 € per SMS. The body is recorded in
    /// ``FakeSMSPartner/deliveredMessages``.
    case accept

    /// `{"success":false,"code":<code>,…}` with the given HTTP status.
    ///
    /// Codes 1, 2, 10 and 11 carry their French `message`; code 9 carries an `errors` array
    /// naming `children[phoneNumbers].data`; any other code carries a generic `message`.
    case error(code: Int, httpStatus: Int = 400)

    /// An arbitrary raw reply, e.g. a 500 HTML page from a proxy, or a 200 that is not JSON.
    case http(status: Int, body: String, contentType: String = "text/html")

    /// Waits (on the event loop, without blocking other connections), then answers `then`.
    ///
    /// A delayed `.accept` counts as delivered as soon as the request arrives — like a provider
    /// that sends the SMS and then answers slowly — so a client that times out and retries
    /// produces a visible duplicate in ``FakeSMSPartner/deliveredMessages``.
    case delay(Duration, then: FakeReply)

    /// A provider that takes `duration` to process the request, then takes the message and
    /// answers as `.accept` — if the client still waits. The message counts as delivered (and
    /// is found by `bulk-status-by-tag`) from the end of the delay on, whether the client
    /// waited or gave up: what a client that times out must not send again blindly.
    case slowAccept(Duration)

    /// Takes the message at once (as `.accept`), then resets the connection (TCP RST) without
    /// answering: the request went through, the reply was lost.
    case acceptThenReset

    /// Closes the TCP connection without writing any response byte.
    case dropConnection

    /// Writes a `200 OK` head announcing a JSON body, then closes the connection without the body.
    case closeAfterHeaders
}

extension FakeReply {
    /// A short description for ``RecordedRequest/reply``: "accept", "error 10", "http 500",
    /// "drop", "delay 0.5 seconds then accept", "close after headers".
    var summary: String {
        switch self {
        case .accept: "accept"
        case .error(let code, let status): status == 400 ? "error \(code)" : "error \(code) (http \(status))"
        case .http(let status, _, _): "http \(status)"
        case .delay(let duration, let then): "delay \(duration) then \(then.summary)"
        case .slowAccept(let duration): "accept after \(duration)"
        case .acceptThenReset: "accept then reset"
        case .dropConnection: "drop"
        case .closeAfterHeaders: "close after headers"
        }
    }
}
