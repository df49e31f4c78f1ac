import SMSText

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One `POST /send`: a message to at most ``SMSPartnerClient/maxNumbersPerRequest`` numbers.
/// Always transactional: `isStopSms` is sent as `0`.
public struct SendRequest: Sendable, Equatable {
    public var phoneNumbers: [PhoneNumber]
    public var message: SMSMessage
    /// 3–11 letters and digits, or nil for the operator's shortcode.
    public var sender: String?
    /// ≤ 20 lowercase characters marking the source, e.g. `nagios`.
    public var tag: String?
    /// Accepted and validated by SMSPartner but neither delivered nor charged.
    public var sandbox: Bool

    public init(phoneNumbers: [PhoneNumber], message: SMSMessage, sender: String? = nil, tag: String? = nil, sandbox: Bool = false) {
        self.phoneNumbers = phoneNumbers
        self.message = message
        self.sender = sender
        self.tag = tag
        self.sandbox = sandbox
    }

    /// The JSON body sent to SMSPartner. Pass nil as `apiKey` for a copy safe to show
    /// (the key replaced by `<redacted>`).
    public func jsonBody(apiKey: APIKey?) -> [UInt8] {
        let body = Body(
            apiKey: apiKey?.secret ?? APIKey.redacted,
            phoneNumbers: phoneNumbers.map(\.e164).joined(separator: ","),
            message: message.platformText,
            sender: sender,
            tag: tag,
            isStopSms: 0,
            isUnicode: message.encoding == .ucs2 ? 1 : nil,
            sandbox: sandbox ? 1 : nil
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        return (try? Array(encoder.encode(body))) ?? []
    }

    /// The wire format; nil fields are left out.
    struct Body: Encodable {
        var apiKey: String
        var phoneNumbers: String
        var message: String
        var sender: String?
        var tag: String?
        var isStopSms: Int
        var isUnicode: Int?
        var sandbox: Int?
    }
}
