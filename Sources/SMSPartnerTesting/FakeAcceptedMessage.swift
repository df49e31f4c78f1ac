/// One `POST /v1/send` that ``FakeSMSPartner`` accepted, with the id it answered.
public struct FakeAcceptedMessage: Sendable, Equatable {
    /// The `message_id` answered, as text (what `GET /v1/message-status` takes).
    public let messageID: String
    /// The request body.
    public let body: SendRequestBody

    /// The recipients, as the send wrote them.
    public var numbers: [String] { body.numbers }
}
