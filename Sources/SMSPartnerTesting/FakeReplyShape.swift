/// How ``FakeSMSPartner`` calls a reply URL with the SMS a phone replied (see
/// ``FakeSMSPartner/reply(from:text:to:shape:messageID:)``): the two shapes SMSPartner documents.
public enum FakeReplyShape: Sendable, Equatable {
    /// The number the long-number shapes say the reply was sent to (`to`).
    public static let longNumber = "33700000000"

    /// A short number: `POST` of `{"type", "phone_number", "text", "message_id"}` as
    /// `application/json`. `type` is `stop` when the text's first word is `STOP`, `response`
    /// otherwise; `phone_number` is the sender in international form (`+336…`); `message_id`
    /// (a JSON number when numeric) is left out when there is none.
    case shortNumberJSON
    /// A long number: `GET` with the fields `msisdn` (the sender's international digits without
    /// `+`: `33612345678`), `to` (``longNumber``), `messageId`, `text`, `type` (`text`),
    /// `keyword` (the first word, upper-cased) and `message-timestamp` (UTC,
    /// `2016-03-10 09:51:46`) in the query string.
    case longNumberGET
    /// A long number: the same fields as ``longNumberGET`` in a `POST` body,
    /// `application/x-www-form-urlencoded`.
    case longNumberForm
    /// A long reply from a long number: the text cut into `parts` pieces of nearly equal length
    /// (at most one per character, at least one), each posted as ``longNumberForm`` with its own
    /// `messageId` and `text`, and `concat` (`true`), `concat-ref` (shared), `concat-total` and
    /// `concat-part` (from 1); one after the other, in order.
    case longNumberConcat(parts: Int)
}
