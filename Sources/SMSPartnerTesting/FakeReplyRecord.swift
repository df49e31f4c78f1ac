/// One request ``FakeSMSPartner`` made to a reply URL for a phone's reply (one per part of a
/// ``FakeReplyShape/longNumberConcat(parts:)`` reply), with what came back.
public struct FakeReplyRecord: Sendable, Equatable {
    /// The URL called (for ``FakeReplyShape/longNumberGET``, with the fields in its query).
    public let url: String
    /// `GET` or `POST`.
    public let method: String
    /// The `Content-Type` of a POST body.
    public let contentType: String?
    /// The body sent (empty for a GET).
    public let body: String
    /// How the reply was made.
    public let shape: FakeReplyShape
    /// The sender, as the test wrote it.
    public let phoneNumber: String
    /// The text this request carries: the whole reply, or one part of it.
    public let text: String
    /// Which part this request carries (from 1), for a reply in parts.
    public let part: Int?
    /// The message id the request carries, if any.
    public let messageID: String?
    /// The receiver's HTTP status, or nil when no response came.
    public let responseStatus: Int?
    /// Why no response came (connection refused, timed out, an unsupported URL…).
    public let failure: String?
}
