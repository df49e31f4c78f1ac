/// One SMS reply SMSPartner pushes to the reply URL (set on the account, or per send as
/// `urlResponse`).
///
/// ``parse(query:body:contentType:)`` reads both documented shapes, leniently and alike: fields
/// from the query string of a GET, or from a POST body in `application/x-www-form-urlencoded`
/// or JSON (an object whose values may be strings, numbers or booleans), a field in the body
/// winning over the same field in the query.
///
/// - a short number posts JSON: `{"type": "response"|"stop", "phone_number", "text", "message_id"}`;
/// - a long number sends `msisdn` (the sender, e.g. `33612345678`), `to`, `messageId`, `text`,
///   `type` (`text`), `keyword` (the first word), `message-timestamp`, and for a long reply sent
///   in parts `concat` (`true`), `concat-ref`, `concat-total` and `concat-part`.
///
/// | field | names read, first found wins |
/// |---|---|
/// | sender (required) | `msisdn`, `phone_number`, `phoneNumber` |
/// | text (required) | `text` |
/// | recipient | `to` |
/// | message id | `messageId`, `message_id` |
/// | STOP | `type` (`stop`), `keyword` (see ``isStopText(_:)``) |
/// | parts | `concat`, `concat-ref`, `concat-total`, `concat-part` |
///
/// Names are compared case-insensitively; values empty or only whitespace count as absent (but
/// the text of a part of a long reply). `message-timestamp` is not kept: the receiver's clock dates a reply.
public struct ReplyCallback: Sendable, Equatable {
    /// The largest body read (16 KiB): a reply is a few fields and at most a few SMS of text.
    public static let maxBodyBytes = 16 * 1024
    /// The deepest nesting of JSON arrays and objects read: a reply is one flat object.
    public static let maxJSONDepth = 32
    /// The most characters of ``text`` kept (ten SMS); the rest is dropped.
    public static let maxTextCharacters = 1600
    /// The words that make a reply a STOP (see ``isStopText(_:)``), upper-case: `STOP`, `ARRET`,
    /// `ARRÊT` and `UNSUBSCRIBE`.
    public static let stopWords: Set<String> = ["STOP", "ARRET", "ARRÊT", "UNSUBSCRIBE"]

    /// The sender of the reply as written (`33612345678`, `+33612345678`…).
    public var from: String
    /// The number the reply was sent to (the long number), when it says.
    public var to: String?
    /// The text as received, leading and trailing whitespace kept (a part of a long reply may
    /// start or end with a space, or be only spaces), cut to ``maxTextCharacters``.
    public var text: String
    /// SMSPartner's id: for a short number the message replied to, for a long number the
    /// reply's own; nil when absent.
    public var messageID: String?
    /// The reply opts out: `type` is `stop`, or the `keyword` or the text is a STOP (see
    /// ``isStopText(_:)``). It is recorded and never answered.
    public var isStop: Bool
    /// Which part of a long reply this is; nil for a reply in one piece.
    public var concat: Concat?

    public init(from: String, to: String? = nil, text: String, messageID: String? = nil, isStop: Bool = false, concat: Concat? = nil) {
        self.from = from
        self.to = to
        self.text = text
        self.messageID = messageID
        self.isStop = isStop
        self.concat = concat
    }

    /// Reads one reply request: `query` is its query string (with or without the leading `?`),
    /// `body` and `contentType` its body and `Content-Type` (nil when absent).
    ///
    /// A body is JSON when its content type says JSON (`application/json`, `…+json`,
    /// `text/json`), or says nothing known and the body starts with `{`; it is a form otherwise.
    /// The body is refused over ``maxBodyBytes``, and JSON over ``maxJSONDepth`` levels, before
    /// anything is decoded. Never traps, whatever the input.
    public static func parse(query: String?, body: [UInt8], contentType: String?) -> Result<ReplyCallback, ReplyCallbackError> {
        CallbackFields.read(query: query, body: body, contentType: contentType, maxBodyBytes: maxBodyBytes, maxJSONDepth: maxJSONDepth)
            .mapError(ReplyCallbackError.init)
            .flatMap { fields in
                guard let from = fields.first(["msisdn", "phone_number", "phonenumber"]) else { return .failure(.missingSender) }
                return Concat.read(fields).flatMap { concat in
                    // A part of a long reply may be only whitespace; a whole reply may not.
                    guard let text = fields.untrimmed(["text"]), concat != nil || fields.first(["text"]) != nil else {
                        return .failure(.missingText)
                    }
                    let isStop = fields.first(["type"])?.lowercased() == "stop"
                        || fields.first(["keyword"]).map(isStopText) == true || isStopText(text)
                    return .success(ReplyCallback(
                        from: from, to: fields.first(["to"]), text: String(text.prefix(maxTextCharacters)),
                        messageID: fields.first(["messageid", "message_id"]), isStop: isStop, concat: concat))
                }
            }
    }

    /// Whether `text` opts out: its first word (its first run of letters and digits) is one of
    /// ``stopWords``, case-insensitively. `STOP`, `stop sms`, `Arrêt`, `UNSUBSCRIBE!` and
    /// `STOP 4F` are; `stopped`, `don't stop` and `ACK 4F` are not.
    public static func isStopText(_ text: String) -> Bool {
        let word = text.drop(while: { !$0.isLetter && !$0.isNumber }).prefix(while: { $0.isLetter || $0.isNumber })
        return stopWords.contains(word.uppercased())
    }
}
