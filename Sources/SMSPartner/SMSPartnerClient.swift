import SMSText

/// The SMSPartner HTTP API: `POST /send`, `GET /me` and `GET /bulk-status-by-tag`, over libcurl.
///
/// Each call makes exactly one HTTP request and classifies the outcome; retrying is the
/// caller's decision (see ``FailureClass/isRetryable``).
public struct SMSPartnerClient: Sendable {
    /// The production API.
    public static let defaultBaseURL = "https://api.smspartner.fr/v1"
    /// SMSPartner's limit of numbers in one `POST /send`.
    public static let maxNumbersPerRequest = 500
    /// How much of an unreadable reply is quoted in errors.
    static let excerptLength = 200
    /// How much of SMSPartner's own error message (or of one field error) is kept.
    static let messageLength = 500

    public var baseURL: String
    public var apiKey: APIKey
    public var http: CurlHTTPClient
    /// Longest time to connect, capped by each call's timeout.
    public var connectTimeout: Duration

    public init(
        apiKey: APIKey,
        baseURL: String = SMSPartnerClient.defaultBaseURL,
        userAgent: String,
        connectTimeout: Duration = .seconds(5)
    ) {
        self.apiKey = apiKey
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = CurlHTTPClient(userAgent: userAgent)
        self.connectTimeout = connectTimeout
    }

    /// Sends one request (at most ``maxNumbersPerRequest`` numbers: see ``SendRequest/batches()``).
    public func send(_ request: SendRequest, timeout: Duration) -> Result<SendReceipt, SMSPartnerError> {
        let http = HTTPRequest(
            method: .post,
            url: baseURL + "/send",
            headers: ["Content-Type: application/json", "Accept: application/json"],
            body: request.jsonBody(apiKey: apiKey),
            connectTimeout: min(connectTimeout, timeout),
            timeout: timeout
        )
        return perform(http).flatMap { status, reply in
            let receipt = SendReceipt(
                messageID: reply.messageID ?? "",
                nbSMS: reply.nbSMS ?? 0,
                cost: reply.cost,
                currency: reply.currency,
                phoneNumbers: request.phoneNumbers
            )
            return .success(receipt)
        }
    }

    /// The account and its credits.
    public func me(timeout: Duration) -> Result<Account, SMSPartnerError> {
        let http = HTTPRequest(
            method: .get,
            url: baseURL + "/me?apiKey=" + Self.percentEncoded(apiKey.secret),
            headers: ["Accept: application/json"],
            connectTimeout: min(connectTimeout, timeout),
            timeout: timeout
        )
        return perform(http).flatMap { status, reply in
            guard let credits = reply.credits, let creditSMS = credits.creditSms else {
                return .failure(.unreadableReply(httpStatus: status, excerpt: "no credits.creditSms in the reply"))
            }
            return .success(
                Account(
                    username: reply.user?.username,
                    creditSMS: creditSMS,
                    creditSMSEco: credits.creditSmsECO,
                    balance: credits.balance,
                    currency: credits.currency
                ))
        }
    }

    /// What SMSPartner knows of the messages sent with `tag` (`GET /bulk-status-by-tag`): one
    /// entry per number it took. No message with that tag (code 4, or an empty list) is an
    /// empty ``TagStatus``, not a failure.
    public func status(ofTag tag: String, timeout: Duration) -> Result<TagStatus, SMSPartnerError> {
        let http = HTTPRequest(
            method: .get,
            url: baseURL + "/bulk-status-by-tag?apiKey=" + Self.percentEncoded(apiKey.secret) + "&tag=" + Self.percentEncoded(tag),
            headers: ["Accept: application/json"],
            connectTimeout: min(connectTimeout, timeout),
            timeout: timeout
        )
        switch perform(http) {
        case .success((let status, let reply)):
            guard let list = reply.statusList else {
                // A success that lists nothing in a shape this knows cannot say "not taken".
                return .failure(.unreadableReply(httpStatus: status, excerpt: "no StatutResponse_List in the reply"))
            }
            return .success(TagStatus(
                entries: list.map { TagStatus.Entry(phoneNumber: $0.phoneNumber, status: $0.status, success: $0.success) },
                total: reply.total))
        case .failure(.rejected(code: 4, _, _, _)):
            return .success(TagStatus(entries: [], total: 0))
        case .failure(let error):
            return .failure(error)
        }
    }

    /// Performs one call and sorts the reply into a successful JSON body or a classified error.
    func perform(_ request: HTTPRequest) -> Result<(status: Int, reply: SMSPartnerReply), SMSPartnerError> {
        let redactor = KeyRedactor(key: apiKey.secret)
        let response: HTTPResponse
        do {
            response = try http.perform(request)
        } catch {
            return .failure(.transport(error.redacted(by: redactor)))
        }
        let reply = SMSPartnerReply.decode(response.body)
        let excerpt = Self.excerpt(response.bodyText, redactor: redactor)
        // A documented error body wins over the HTTP status, except for 5xx: a server error
        // page that happens to parse is still a server error.
        if let reply, reply.success == false, !(500...599).contains(response.status) {
            return .failure(
                .rejected(
                    code: reply.code ?? response.status,
                    message: redactor.redact(reply.message ?? "", limit: Self.messageLength),
                    fieldErrors: reply.errors.prefix(20).map {
                        .init(elementID: redactor.redact($0.elementID, limit: 100), message: redactor.redact($0.message, limit: Self.messageLength))
                    },
                    httpStatus: response.status
                ))
        }
        guard (200...299).contains(response.status) else {
            return .failure(.httpStatus(response.status, excerpt: excerpt))
        }
        guard let reply, reply.success == true else {
            return .failure(.unreadableReply(httpStatus: response.status, excerpt: excerpt))
        }
        return .success((response.status, reply))
    }

    /// The first characters of a reply on one line, for an error message: the key removed
    /// first, then cut (cutting first could leave most of an echoed key behind).
    static func excerpt(_ text: String, redactor: KeyRedactor) -> String {
        let flat = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ").trimmingASCIIWhitespace()
        return redactor.redact(flat, limit: excerptLength)
    }

    /// RFC 3986 unreserved characters kept, everything else percent-encoded (UTF-8 bytes): a
    /// query value or a path segment.
    public static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

extension SendRequest {
    /// This request split into requests of at most ``SMSPartnerClient/maxNumbersPerRequest`` numbers.
    public func batches() -> [SendRequest] {
        guard phoneNumbers.count > SMSPartnerClient.maxNumbersPerRequest else { return [self] }
        return stride(from: 0, to: phoneNumbers.count, by: SMSPartnerClient.maxNumbersPerRequest).map { start in
            var batch = self
            batch.phoneNumbers = Array(phoneNumbers[start..<min(start + SMSPartnerClient.maxNumbersPerRequest, phoneNumbers.count)])
            return batch
        }
    }
}
