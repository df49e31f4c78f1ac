/// Where the PostgreSQL store is: `postgres://user@host:port/database?sslmode=…`, parsed.
///
/// The password never comes from the URL's text shown anywhere: it is read from
/// `password_file` (or the URL, for a test), and ``description`` leaves it out, so the
/// location can be printed in errors and `status`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS (libpq's `sslmode`, the values that make sense here).
    public enum TLSMode: String, Sendable, Equatable {
        /// Plain TCP (a loopback or a private network).
        case disable
        /// TLS when the server offers it, with the server's certificate verified.
        case prefer
        /// TLS or no connection, with the server's certificate verified.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// A password written in the URL itself (discouraged: `password_file` keeps it out of the config).
    public var password: String?

    /// `postgres://notify@db1:5432/notify`, without the password.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// Why a URL is not one this store can use.
    public struct InvalidURL: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String {
            "state.url: \(reason) (expected postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require])"
        }
    }

    public init(host: String, port: Int = 5432, user: String, database: String, tls: TLSMode = .prefer, password: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.password = password
    }

    /// Parses `postgres://` or `postgresql://` URLs with a user, a host, an optional port, a
    /// database and an optional `sslmode`.
    public init(url: String) throws(InvalidURL) {
        var rest = Substring(url)
        guard let scheme = rest.range(of: "://") else { throw InvalidURL(reason: "not a URL") }
        guard ["postgres", "postgresql"].contains(rest[..<scheme.lowerBound].lowercased()) else {
            throw InvalidURL(reason: "the scheme is not postgres")
        }
        rest = rest[scheme.upperBound...]
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw InvalidURL(reason: "no database") }
        let database = Self.decoded(rest[rest.index(after: slash)...])
        guard !database.isEmpty, !database.contains("/") else { throw InvalidURL(reason: "no database") }
        var authority = rest[..<slash]
        guard let at = authority.lastIndex(of: "@") else { throw InvalidURL(reason: "no user") }
        let credentials = authority[..<at]
        authority = authority[authority.index(after: at)...]
        var user = Self.decoded(credentials)
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = Self.decoded(credentials[..<colon])
            password = Self.decoded(credentials[credentials.index(after: colon)...])
        }
        guard !user.isEmpty else { throw InvalidURL(reason: "no user") }
        var host: Substring
        var port = 5432
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw InvalidURL(reason: "an unclosed [ in the host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            authority = authority[authority.index(after: close)...]
            if authority.hasPrefix(":") {
                guard let number = Int(authority.dropFirst()), (1...65535).contains(number) else { throw InvalidURL(reason: "an invalid port") }
                port = number
            } else if !authority.isEmpty {
                throw InvalidURL(reason: "an invalid host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw InvalidURL(reason: "an invalid port")
            }
            port = number
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw InvalidURL(reason: "no host") }
        var tls = TLSMode.prefer
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw InvalidURL(reason: "an invalid query") }
            switch parts[0] {
            case "sslmode":
                switch parts[1] {
                case "disable": tls = .disable
                case "prefer", "allow": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw InvalidURL(reason: "sslmode \(parts[1]) is not disable, prefer or require")
                }
            default:
                throw InvalidURL(reason: "the parameter \(parts[0]) is not supported (only sslmode)")
            }
        }
        self.init(host: String(host), port: port, user: user, database: database, tls: tls, password: password)
    }

    /// Percent-decoding of a URL part (a password with `@` or `/` in it).
    static func decoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high < utf8.endIndex,
               let low = utf8.index(high, offsetBy: 1, limitedBy: utf8.endIndex), low < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(after: low)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
