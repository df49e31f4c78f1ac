/// One delivery receipt as SMSPartner sends it to a send's `urlDlr`.
///
/// SMSPartner does not document this callback, so ``parse(query:body:contentType:)`` reads it
/// leniently: fields from the query string of a GET, or from a POST body in
/// `application/x-www-form-urlencoded` or JSON (an object whose values may be strings,
/// numbers or booleans), a field in the body winning over the same field in the query.
///
/// | field | names read, first found wins |
/// |---|---|
/// | message id | `messageId`, `message_id` |
/// | number | `phoneNumber`, `phone_number`, `msisdn` |
/// | status | `status`, `statut`, `dlr` (read by ``ReportedDelivery/init(status:)``) |
/// | STOP list | `stopSms` (`true`/`1`: not delivered, the number is on the STOP list) |
///
/// Names are compared case-insensitively; empty values count as absent.
public struct DeliveryCallback: Sendable, Equatable {
    /// The largest body read (16 KiB): a receipt is a few fields.
    public static let maxBodyBytes = 16 * 1024
    /// The deepest nesting of JSON arrays and objects read: a receipt is one flat object.
    public static let maxJSONDepth = 32

    /// SMSPartner's id for the message, when the receipt names it.
    public var messageID: String?
    /// The number as the receipt writes it (`+336…`, `336…`…), when it names it.
    public var phoneNumber: String?
    /// The status text as received.
    public var status: String
    /// What the status says.
    public var delivery: ReportedDelivery

    public init(messageID: String?, phoneNumber: String?, status: String, delivery: ReportedDelivery) {
        self.messageID = messageID
        self.phoneNumber = phoneNumber
        self.status = status
        self.delivery = delivery
    }

    /// Reads one callback request: `query` is its query string (with or without the leading
    /// `?`), `body` and `contentType` its body and `Content-Type` (nil when absent).
    ///
    /// A body is JSON when its content type says JSON (`application/json`, `…+json`,
    /// `text/json`), or says nothing known and the body starts with `{`; it is a form otherwise. The body is refused
    /// over ``maxBodyBytes``, and JSON over ``maxJSONDepth`` levels, before anything is decoded.
    /// Never traps, whatever the input.
    public static func parse(query: String?, body: [UInt8], contentType: String?) -> Result<DeliveryCallback, DeliveryCallbackError> {
        CallbackFields.read(query: query, body: body, contentType: contentType, maxBodyBytes: maxBodyBytes, maxJSONDepth: maxJSONDepth)
            .mapError(DeliveryCallbackError.init)
            .flatMap { fields in
                guard let status = fields.first(["status", "statut", "dlr"]) else { return .failure(.missingStatus) }
                let messageID = fields.first(["messageid", "message_id"])
                let phoneNumber = fields.first(["phonenumber", "phone_number", "msisdn"])
                guard messageID != nil || phoneNumber != nil else { return .failure(.missingMessageID) }
                return .success(DeliveryCallback(
                    messageID: messageID, phoneNumber: phoneNumber, status: status,
                    delivery: .from(status: status, stopSMS: fields.flag(["stopsms"]))))
            }
    }
}
