/// The JSON body of a `POST /v1/send` request, as the fake decoded it.
///
/// Unknown fields are ignored. The integer flags accept a JSON number, a numeric string or a
/// boolean (what a PHP backend would take); a string field given another JSON type makes the
/// whole body undecodable, which the fake answers with HTTP 400.
public struct SendRequestBody: Sendable, Decodable, Equatable {
    /// The account key (secret).
    public let apiKey: String?
    /// Comma-separated recipients.
    public let phoneNumbers: String?
    /// The SMS text.
    public let message: String?
    /// The sender name (3–11 letters and digits), if any.
    public let sender: String?
    /// The free tag, if any.
    public let tag: String?
    /// `1` appends the STOP mention; this project must always send `0`.
    public let isStopSms: Int?
    /// `1` for UCS-2 (70 characters per SMS).
    public let isUnicode: Int?
    /// `1` for a validated but undelivered, uncharged send.
    public let sandbox: Int?
    /// The URL the fake calls with each number's delivery receipt, if any.
    public let urlDlr: String?
    /// The URL the account's replies to this message go to, if any (``FakeSMSPartner`` records
    /// it; tests make the replies with ``FakeSMSPartner/reply(from:text:to:shape:messageID:)``).
    public let urlResponse: String?

    /// The recipients: ``phoneNumbers`` split on `,` (empty when absent or empty).
    public var numbers: [String] {
        guard let phoneNumbers, !phoneNumbers.isEmpty else { return [] }
        return phoneNumbers.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// Builds a body, e.g. as the expected value in a test.
    public init(
        apiKey: String? = nil, phoneNumbers: String? = nil, message: String? = nil,
        sender: String? = nil, tag: String? = nil, isStopSms: Int? = nil,
        isUnicode: Int? = nil, sandbox: Int? = nil, urlDlr: String? = nil, urlResponse: String? = nil
    ) {
        self.apiKey = apiKey
        self.phoneNumbers = phoneNumbers
        self.message = message
        self.sender = sender
        self.tag = tag
        self.isStopSms = isStopSms
        self.isUnicode = isUnicode
        self.sandbox = sandbox
        self.urlDlr = urlDlr
        self.urlResponse = urlResponse
    }

    private enum CodingKeys: String, CodingKey {
        case apiKey, phoneNumbers, message, sender, tag, isStopSms, isUnicode, sandbox, urlDlr, urlResponse
    }

    /// Decodes a body, tolerating unknown fields and loosely typed integer flags.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
        self.phoneNumbers = try container.decodeIfPresent(String.self, forKey: .phoneNumbers)
        self.message = try container.decodeIfPresent(String.self, forKey: .message)
        self.sender = try container.decodeIfPresent(String.self, forKey: .sender)
        self.tag = try container.decodeIfPresent(String.self, forKey: .tag)
        self.isStopSms = try Self.looseInt(container, .isStopSms)
        self.isUnicode = try Self.looseInt(container, .isUnicode)
        self.sandbox = try Self.looseInt(container, .sandbox)
        self.urlDlr = try container.decodeIfPresent(String.self, forKey: .urlDlr)
        self.urlResponse = try container.decodeIfPresent(String.self, forKey: .urlResponse)
    }

    /// An integer flag given as a number, a numeric string or a boolean; `nil` when absent or null.
    private static func looseInt(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        if let value = try? container.decode(Int.self, forKey: key) { return value }
        if let value = try? container.decode(Bool.self, forKey: key) { return value ? 1 : 0 }
        let text = try container.decode(String.self, forKey: key)
        guard let value = Int(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(key.stringValue) is not an integer")
        }
        return value
    }
}
