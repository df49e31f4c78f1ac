import AlertModel
import NotifyState
import SMSPartner
import SMSText

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Acknowledges Alertmanager alerts with a silence: `POST {url}/api/v2/silences`, one equality
/// matcher per label of the target, from now for ``silence``, created by the replier, with the
/// reply's comment (which starts with `ACK`):
///
/// ```json
/// {"comment":"ACK on it","createdBy":"alice","endsAt":"2026-12-01T23:15:32.123Z",
///  "matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"HostDown"},
///              {"isEqual":true,"isRegex":false,"name":"instance","value":"web01"}],
///  "startsAt":"2026-12-01T21:15:32.123Z"}
/// ```
///
/// The replier's confirmation says `silenced until 23:15 (silence 3f2a1b4c)` (local time, the
/// first 8 characters of the silence's id). `CLOSE` is not supported: Alertmanager alerts
/// resolve at their source.
///
/// **The matchers** are the target's, exactly: an alert's identifying labels (which always
/// carry `alertname`), or a group's `groupLabels`, which lack it when the route groups by
/// other labels (`group_by: [cluster]`) and then silence the group the SMS spoke of, as meant.
/// These are refused before anything is sent, each would silence more than an alert or a group:
///
/// - no matcher at all (`group_by: []` gives empty `groupLabels`): every alert would match;
/// - a matcher without a name;
/// - no matcher with a value: `name=""` matches every alert without that label.
///
/// **Recovery.** A silenced alert gets no resolved notification. While the silence lasts,
/// ``firingAlerts(matching:timeout:)`` says how many alerts it still covers are active, and
/// ``expireSilence(id:timeout:)`` ends it early.
public struct AlertmanagerSilencer: SourceAcknowledger {
    /// A silence Alertmanager created.
    public struct Silence: Sendable, Equatable {
        /// Alertmanager's id for it (a UUID), as it sent it.
        public var id: String
        /// When it ends.
        public var endsAt: Timestamp

        public init(id: String, endsAt: Timestamp) {
            self.id = id
            self.endsAt = endsAt
        }

        /// `silenced until HH:MM (silence 3f2a1b4c)`: what the replier's confirmation says.
        public var summary: String {
            "silenced until \(endsAt.localTimeOfDay) (silence \(String(id.prefix(8)).displayEscaped))"
        }
    }

    /// How much of Alertmanager's own text a failure quotes, in characters.
    public static let maxQuotedLength = 200

    /// Alertmanager's base URL without a trailing `/` (with its route prefix, if it has one).
    public var url: String
    /// How long a silence lasts.
    public var silence: Duration
    public var http: CurlHTTPClient
    /// Longest time to connect, capped by each call's timeout.
    public var connectTimeout: Duration
    /// The wall clock (tests replace it).
    public var now: @Sendable () -> Timestamp

    public init(settings: TwoWaySettings.Alertmanager, userAgent: String = ToolVersion.userAgent, connectTimeout: Duration = .seconds(5),
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        var base = settings.url
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        self.silence = settings.silence
        self.http = CurlHTTPClient(userAgent: userAgent)
        self.connectTimeout = connectTimeout
        self.now = now
    }

    public func acknowledge(_ request: AckRequest, timeout: Duration) -> AckOutcome {
        guard case .alertmanager(let matchers, _) = request.target else {
            return .notSupported(detail: "not an Alertmanager alert")
        }
        guard !request.close else {
            return .notSupported(detail: "Alertmanager alerts resolve at their source")
        }
        switch createSilence(matching: matchers, author: request.author, comment: request.comment, timeout: timeout) {
        case .success(let silence): return .acknowledged(detail: silence.summary)
        case .failure(let failure): return .failed(reason: failure.reason)
        }
    }

    /// Silences the alerts matching every one of `matchers` from now for ``silence``: one
    /// `POST /api/v2/silences`, unless the matchers are refused (see the type's rules).
    /// A `comment` that does not start with `ACK` gets `ACK ` in front.
    public func createSilence(matching matchers: [Label], author: String, comment: String, timeout: Duration)
        -> Result<Silence, AckFailure>
    {
        if let refusal = Self.refusal(of: matchers) { return .failure(refusal) }
        let start = now()
        let end = start + silence
        let body = Self.silenceBody(matchers: matchers, author: author, comment: comment, startsAt: start, endsAt: end)
        let request = HTTPRequest(
            method: .post, url: url + "/api/v2/silences", headers: ["Content-Type: application/json", "Accept: application/json"],
            body: body, connectTimeout: min(connectTimeout, timeout), timeout: timeout)
        return perform(request).flatMap { response in
            switch response.status {
            case 200...299:
                guard let reply = try? JSONDecoder().decode(SilenceReply.self, from: Data(response.body)), !reply.silenceID.isEmpty else {
                    return .failure(AckFailure("Alertmanager named no silence in its answer: \(Self.quoted(response))"))
                }
                return .success(Silence(id: reply.silenceID, endsAt: end))
            case 400:
                return .failure(AckFailure("Alertmanager refused the silence: \(Self.quoted(response))"))
            default:
                return .failure(AckFailure("Alertmanager answered HTTP \(response.status): \(Self.quoted(response))"))
            }
        }
    }

    /// How many alerts matching every one of `matchers` are active now, silenced or not: one
    /// `GET /api/v2/alerts?filter=name="value"&…` (resolved alerts are never listed). 0 once
    /// the alerts a silence covers have all resolved. The matchers follow the rules of a silence.
    public func firingAlerts(matching matchers: [Label], timeout: Duration) -> Result<Int, AckFailure> {
        if let refusal = Self.refusal(of: matchers) { return .failure(refusal) }
        let request = HTTPRequest(
            method: .get, url: url + "/api/v2/alerts?" + Self.alertsQuery(matchers), headers: ["Accept: application/json"],
            connectTimeout: min(connectTimeout, timeout), timeout: timeout)
        return perform(request).flatMap { response in
            guard (200...299).contains(response.status) else {
                return .failure(AckFailure("Alertmanager answered HTTP \(response.status): \(Self.quoted(response))"))
            }
            guard let alerts = try? JSONDecoder().decode([ListedAlert].self, from: Data(response.body)) else {
                return .failure(AckFailure("Alertmanager's alert list is unreadable: \(Self.quoted(response))"))
            }
            // Checked here too: a label its filter syntax cannot name is not filtered on.
            return .success(alerts.count(where: { alert in matchers.allSatisfy { (alert.labels[$0.name] ?? "") == $0.value } }))
        }
    }

    /// Ends a silence now: `DELETE /api/v2/silence/{id}`.
    public func expireSilence(id: String, timeout: Duration) -> Result<Void, AckFailure> {
        let request = HTTPRequest(
            method: .delete, url: url + "/api/v2/silence/" + SMSPartnerClient.percentEncoded(id), headers: ["Accept: application/json"],
            connectTimeout: min(connectTimeout, timeout), timeout: timeout)
        return perform(request).flatMap { response in
            switch response.status {
            case 200...299: .success(())
            case 404: .failure(AckFailure("Alertmanager knows no silence \(String(id.prefix(36)).displayEscaped)"))
            default: .failure(AckFailure("Alertmanager answered HTTP \(response.status): \(Self.quoted(response))"))
            }
        }
    }

    /// Why `matchers` cannot be used, or nil when they can (the rules in the type's summary).
    static func refusal(of matchers: [Label]) -> AckFailure? {
        if matchers.isEmpty {
            return AckFailure("no labels to match: a silence would cover every alert")
        }
        if matchers.contains(where: { $0.name.isEmpty }) {
            return AckFailure("a label without a name cannot be matched")
        }
        if matchers.allSatisfy({ $0.value.isEmpty }) {
            return AckFailure("only empty labels to match: a silence would cover most alerts")
        }
        return nil
    }

    /// The body of `POST /api/v2/silences` (keys sorted, slashes unescaped).
    static func silenceBody(matchers: [Label], author: String, comment: String, startsAt: Timestamp, endsAt: Timestamp) -> [UInt8] {
        let body = SilenceBody(
            matchers: matchers.map { SilenceBody.Matcher(name: $0.name, value: $0.value, isRegex: false, isEqual: true) },
            startsAt: startsAt.iso8601, endsAt: endsAt.iso8601, createdBy: author,
            comment: comment.hasPrefix("ACK") ? comment : "ACK " + comment)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and booleans cannot fail.
        return (try? Array(encoder.encode(body))) ?? []
    }

    /// The query of `GET /api/v2/alerts`: every state of an active alert, and one `filter` per
    /// matcher whose name Alertmanager's filter syntax can say, each percent-encoded.
    static func alertsQuery(_ matchers: [Label]) -> String {
        let states = ["active=true", "silenced=true", "inhibited=true", "unprocessed=true"]
        let filters = matchers.compactMap(filter).map { "filter=" + SMSPartnerClient.percentEncoded($0) }
        return (states + filters).joined(separator: "&")
    }

    /// `name="value"` in Alertmanager's matcher syntax (`\`, `"` and newlines escaped), or nil
    /// for a name that is not `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func filter(_ matcher: Label) -> String? {
        let name = matcher.name.unicodeScalars
        guard let first = name.first, first.isLabelNameStart, name.allSatisfy({ $0.isLabelNameStart || ("0"..."9").contains($0) }) else {
            return nil
        }
        var value = ""
        for character in matcher.value.unicodeScalars {
            switch character {
            case "\\": value += "\\\\"
            case "\"": value += "\\\""
            case "\n": value += "\\n"
            default: value.unicodeScalars.append(character)
            }
        }
        return matcher.name + "=\"" + value + "\""
    }

    /// One request; a transport failure is worded as Alertmanager not answering.
    func perform(_ request: HTTPRequest) -> Result<HTTPResponse, AckFailure> {
        do {
            return .success(try http.perform(request))
        } catch {
            return .failure(AckFailure("Alertmanager: \(Self.cut(String(describing: error).displayEscaped))"))
        }
    }

    /// Alertmanager's own words: the JSON string or `message` it answered, else its body; on
    /// one line, escaped, at most ``maxQuotedLength`` characters.
    static func quoted(_ response: HTTPResponse) -> String {
        let data = Data(response.body)
        let text = (try? JSONDecoder().decode(String.self, from: data))
            ?? (try? JSONDecoder().decode(ErrorReply.self, from: data))?.message
            ?? response.bodyText
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingWhitespace()
        return flat.isEmpty ? "(no text)" : cut(flat.displayEscaped)
    }

    /// `text`, cut to ``maxQuotedLength`` characters with `...` at its end.
    static func cut(_ text: String) -> String {
        text.count > maxQuotedLength ? String(text.prefix(maxQuotedLength - 3)) + "..." : text
    }

    /// The wire format of a silence.
    struct SilenceBody: Encodable {
        struct Matcher: Encodable {
            var name: String
            var value: String
            var isRegex: Bool
            var isEqual: Bool
        }

        var matchers: [Matcher]
        var startsAt: String
        var endsAt: String
        var createdBy: String
        var comment: String
    }

    /// `{"silenceID":"…"}`.
    struct SilenceReply: Decodable {
        var silenceID: String
    }

    /// One entry of `GET /api/v2/alerts`: only its labels are read.
    struct ListedAlert: Decodable {
        var labels: [String: String]
    }

    /// A go-openapi error, `{"code":602,"message":"…"}`.
    struct ErrorReply: Decodable {
        var message: String
    }
}

extension Unicode.Scalar {
    /// `[a-zA-Z_:]`: what may start a label name in Alertmanager's matcher syntax.
    fileprivate var isLabelNameStart: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" || self == ":"
    }
}
