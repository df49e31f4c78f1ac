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
    /// The URL SMSPartner calls with each number's delivery receipt (`urlDlr`), or nil for none.
    /// Its last path segment is a secret token: it is shown as `<redacted>`.
    public var urlDlr: String?
    /// The URL SMSPartner calls with each SMS replied to this message (`urlResponse`), or nil
    /// for the one set on the account. Its last path segment is a secret token: it is shown as
    /// `<redacted>`.
    public var urlResponse: String?

    public init(
        phoneNumbers: [PhoneNumber], message: SMSMessage, sender: String? = nil, tag: String? = nil, sandbox: Bool = false,
        urlDlr: String? = nil, urlResponse: String? = nil
    ) {
        self.phoneNumbers = phoneNumbers
        self.message = message
        self.sender = sender
        self.tag = tag
        self.sandbox = sandbox
        self.urlDlr = urlDlr
        self.urlResponse = urlResponse
    }

    /// The JSON body sent to SMSPartner. Pass nil as `apiKey` for a copy safe to show: the key
    /// and the secret tokens of ``urlDlr`` and ``urlResponse`` (their last path segments) replaced
    /// by `<redacted>`.
    public func jsonBody(apiKey: APIKey?) -> [UInt8] {
        let body = Body(
            apiKey: apiKey?.secret ?? APIKey.redacted,
            phoneNumbers: phoneNumbers.map(\.e164).joined(separator: ","),
            message: message.platformText,
            sender: sender,
            tag: tag,
            isStopSms: 0,
            isUnicode: message.encoding == .ucs2 ? 1 : nil,
            sandbox: sandbox ? 1 : nil,
            urlDlr: apiKey == nil ? urlDlr.map(Self.redactedCallbackURL) : urlDlr,
            urlResponse: apiKey == nil ? urlResponse.map(Self.redactedCallbackURL) : urlResponse
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
        var urlDlr: String?
        var urlResponse: String?
    }

    /// `url` with its last path segment, the secret token, replaced by `<redacted>`
    /// (`https://x/smspartner/dlr/<redacted>`), and its query too, if it has one: the token may
    /// be there instead. A URL without a path segment is shown as it is.
    static func redactedCallbackURL(_ url: String) -> String {
        let scheme = url.firstIndex(of: ":").flatMap { colon in
            url[colon...].hasPrefix("://") ? url.index(colon, offsetBy: 3) : nil
        }
        let authorityStart = scheme ?? url.startIndex
        let end = url[authorityStart...].firstIndex(where: { $0 == "?" || $0 == "#" }) ?? url.endIndex
        let hasQuery = end < url.endIndex && url[end] == "?"
        var pathAndHost = url[..<end]
        while pathAndHost.hasSuffix("/"), pathAndHost.endIndex > authorityStart { pathAndHost.removeLast() }
        guard let slash = pathAndHost[authorityStart...].lastIndex(of: "/") else {
            return hasQuery ? String(url[..<end]) + "?" + APIKey.redacted : url
        }
        return String(url[...slash]) + APIKey.redacted + (hasQuery ? "?" + APIKey.redacted : "")
    }
}
