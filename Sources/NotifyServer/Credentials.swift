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

    public static let none = Credentials()

    /// Whether any credential is required.
    public var isRequired: Bool { basic != nil || bearer != nil }

    init(basic: (username: String, password: String)? = nil, bearer: String? = nil) {
        self.basic = basic
        self.bearer = bearer
    }

    /// Reads the files the `serve:` settings name.
    public static func load(_ serve: ServeSettings) throws(ConfigurationError) -> Credentials {
        var credentials = Credentials()
        if let username = serve.basicUsername, let file = serve.basicPasswordFile {
            credentials.basic = (username, try secret(file))
        }
        if let file = serve.bearerTokenFile {
            credentials.bearer = try secret(file)
        }
        return credentials
    }

    static func secret(_ path: String) throws(ConfigurationError) -> String {
        let text: String
        do {
            text = try FileReader.read(path: path, limit: 4096)
        } catch {
            throw .unreadableSecretFile(path: path, reason: "\(error)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .unreadableSecretFile(path: path, reason: "empty") }
        return trimmed
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
            return Self.constantTimeEqual(value, bearer)
        }
        if scheme == "basic", let basic {
            guard let decoded = Data(base64Encoded: value) else { return false }
            return Self.constantTimeEqual(String(decoding: decoded, as: UTF8.self), basic.username + ":" + basic.password)
        }
        return false
    }

    /// The `WWW-Authenticate` challenge of a 401.
    public var challenge: String {
        basic != nil ? #"Basic realm="smspartner-notify", charset="UTF-8""# : #"Bearer realm="smspartner-notify""#
    }

    /// Compares without stopping at the first difference, so the time taken says nothing
    /// about how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
