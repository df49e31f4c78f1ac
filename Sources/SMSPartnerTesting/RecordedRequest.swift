#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One HTTP request that reached ``FakeSMSPartner``, with what the fake answered.
public struct RecordedRequest: Sendable {
    /// The HTTP method, e.g. `POST`.
    public let method: String
    /// The path without the query, e.g. `/v1/send`.
    public let path: String
    /// The query parameters, percent-decoded (`+` as space); the last one wins on duplicates.
    public let query: [String: String]
    /// The request target as received, path and raw query, e.g. `/v1/me?apiKey=abc%2B1`.
    public let uri: String
    /// The header fields in arrival order, names lower-cased.
    public let headerFields: [(name: String, value: String)]
    /// The header fields by lower-cased name; repeated fields are joined with `", "`.
    public let headers: [String: String]
    /// The raw body.
    public let body: [UInt8]
    /// A short description of what the fake answered: `accept`, `error 10`, `http 500`, `drop`,
    /// `delay 0.2 seconds then accept`, `invalid …` for validation failures, `not found`, ….
    public let reply: String
    /// When the complete request arrived (to measure a client's retry intervals).
    public let receivedAt: ContinuousClock.Instant

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as a `POST /v1/send` body, or `nil` when it is not a JSON object.
    public var sendBody: SendRequestBody? { try? JSONDecoder().decode(SendRequestBody.self, from: Data(body)) }

    /// The value of a header field, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    init(
        method: String, path: String, query: [String: String], uri: String,
        headerFields: [(name: String, value: String)], body: [UInt8], reply: String,
        receivedAt: ContinuousClock.Instant
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.uri = uri
        self.headerFields = headerFields
        var headers: [String: String] = [:]
        for field in headerFields {
            if let existing = headers[field.name] {
                headers[field.name] = existing + ", " + field.value
            } else {
                headers[field.name] = field.value
            }
        }
        self.headers = headers
        self.body = body
        self.reply = reply
        self.receivedAt = receivedAt
    }

    /// A copy with another reply description.
    func replying(_ reply: String) -> RecordedRequest {
        RecordedRequest(
            method: method, path: path, query: query, uri: uri, headerFields: headerFields, body: body,
            reply: reply, receivedAt: receivedAt)
    }
}
