/// One call ``FakeSMSPartner`` made to a send's `urlDlr`, with what came back.
public struct FakeCallbackRecord: Sendable, Equatable {
    /// The URL called (for ``FakeCallbackStyle/get``, with the fields in its query).
    public let url: String
    /// `GET` or `POST`.
    public let method: String
    /// The `Content-Type` of a POST body.
    public let contentType: String?
    /// The body sent (empty for a GET).
    public let body: String
    /// The message the receipt is for.
    public let messageID: String
    /// The number the receipt is for, as the send wrote it.
    public let phoneNumber: String
    /// The status reported: the number's scripted final outcome.
    public let status: FakeDeliveryStatus
    /// The receiver's HTTP status, or nil when no response came.
    public let responseStatus: Int?
    /// Why no response came (connection refused, timed out, an unsupported URL…).
    public let failure: String?
}
