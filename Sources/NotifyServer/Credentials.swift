import NotifyCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who may call `serve`: Basic credentials and/or a bearer token, read from files (never
/// from the command line, never logged). None configured: anyone who can reach the socket.
public struct Credentials: Sendable {
    var basic: (username: String, password: String)?
    var bearer: String?
    /// The token that ends the receipt callback's path (`receipts.token_file`); nil: receipts
    /// are not pushed to this `serve`.
    public var receiptToken: ReceiptToken?
    /// The token that ends the reply callback's path (`two_way.token_file`); nil: replies are
    /// not taken.
    public var replyToken: ReceiptToken?

    public static let none = Credentials()

    /// Whether any credential is required.
    public var isRequired: Bool { basic != nil || bearer != nil }

    init(basic: (username: String, password: String)? = nil, bearer: String? = nil) {
        self.basic = basic
        self.bearer = bearer
    }

    /// Reads the files the `serve:` settings, `receipts.token_file` and `two_way.token_file` name.
    public static func load(_ serve: ServeSettings, receipts: ReceiptSettings = ReceiptSettings(),
                            twoWay: TwoWaySettings = TwoWaySettings()) throws(ConfigurationError) -> Credentials {
        var credentials = Credentials()
        if let file = receipts.tokenFile {
            credentials.receiptToken = try ReceiptToken.load(path: file)
        }
        if twoWay.enabled, let file = twoWay.tokenFile {
            credentials.replyToken = try ReceiptToken.load(path: file)
        }
        if let username = serve.basicUsername, let file = serve.basicPasswordFile {
            credentials.basic = (username, try SecretFile.read(file))
        }
        if let file = serve.bearerTokenFile {
            credentials.bearer = try SecretFile.read(file)
        }
        return credentials
    }

    /// Whether an `Authorization` header value carries valid credentials.
    public func accepts(_ authorization: String?) -> Bool {
        guard isRequired else { return true }
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return false }
        let scheme = parts[0].lowercased()
        let value = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if scheme == "bearer", let bearer {
            return SecretFile.constantTimeEqual(value, bearer)
        }
        if scheme == "basic", let basic {
            guard let decoded = Data(base64Encoded: value) else { return false }
            return SecretFile.constantTimeEqual(String(decoding: decoded, as: UTF8.self), basic.username + ":" + basic.password)
        }
        return false
    }

    /// The `WWW-Authenticate` challenge of a 401.
    public var challenge: String {
        basic != nil ? #"Basic realm="smspartner-notify", charset="UTF-8""# : #"Bearer realm="smspartner-notify""#
    }
}
