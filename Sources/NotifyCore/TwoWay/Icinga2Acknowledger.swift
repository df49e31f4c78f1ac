import Foundation
import SMSPartner
import SMSText

/// Acknowledges Icinga 2 problems through its REST API: `POST <url>/v1/actions/acknowledge-problem`
/// on one object, named the way Icinga names it (`"host": "web-01"`, `"service": "web-01!http"`),
/// never a filter that could match more.
///
/// ```json
/// {"author":"alice","comment":"ACK on it","notify":true,"service":"web-01!http","sticky":true,"type":"Service"}
/// ```
///
/// The acknowledgement is sticky (it lasts until the object is OK/UP again, not merely until the
/// next state change) and notifies, so Icinga sends its own ACKNOWLEDGEMENT notification. It has
/// no expiry. Icinga 2 has no "close" for a problem: `CLOSE` is ``AckOutcome/notSupported(detail:)``.
///
/// The API password is read from `password_file` on every call (a changed password needs no
/// restart) and sent as HTTP Basic credentials in a header, never in the URL; TLS is checked
/// against `ca_file` (else the system's authorities). Neither the password nor the header ever
/// appear in an outcome.
public struct Icinga2Acknowledger: SourceAcknowledger {
    /// What a successful acknowledgement reports.
    public static let acknowledgedDetail = "acknowledged in Icinga 2"
    /// What Icinga's 404 reports: no such object (or none the API user may see).
    public static let notFoundReason = "no such host/service in Icinga 2"
    /// What Icinga's 401 reports.
    public static let unauthorizedReason = "Icinga 2 API refused the user (check two_way.icinga2.user/password_file)"
    /// The longest text quoted from Icinga's reply, in characters.
    public static let quotedLimit = 200

    /// `two_way.icinga2`.
    public let settings: TwoWaySettings.Icinga2
    private let client: CurlHTTPClient

    public init(settings: TwoWaySettings.Icinga2, userAgent: String = ToolVersion.userAgent) {
        self.settings = settings
        self.client = CurlHTTPClient(userAgent: userAgent)
    }

    /// `<url>/v1/actions/acknowledge-problem`.
    public var endpoint: String { settings.url + "/v1/actions/acknowledge-problem" }

    public func acknowledge(_ request: AckRequest, timeout: Duration) -> AckOutcome {
        guard case .icinga(let host, let service) = request.target else {
            return .notSupported(detail: "not an Icinga 2 alert")
        }
        guard !request.close else {
            return .notSupported(detail: "Icinga 2 cannot close a problem: reply ACK instead")
        }
        // An empty name must never reach the API as a name that could select other objects.
        guard !host.isEmpty, service.map({ !$0.isEmpty }) ?? true else {
            return .failed(reason: "no host or service name to acknowledge in Icinga 2")
        }
        let password: String
        do {
            password = try SecretFile.read(settings.passwordFile)
        } catch {
            return .failed(reason: "Icinga 2 API password unreadable: \(error.description)")
        }
        let body: [UInt8]
        do {
            body = try Self.requestBody(for: request, host: host, service: service)
        } catch {
            return .failed(reason: "could not encode the Icinga 2 request: \(error)")
        }
        let http = HTTPRequest(
            method: .post,
            url: endpoint,
            headers: [
                "Accept: application/json", "Content-Type: application/json",
                HTTPRequest.basicAuthorization(user: settings.user, password: password),
            ],
            body: body,
            connectTimeout: min(timeout, .seconds(5)),
            timeout: timeout,
            caFile: settings.caFile)
        let response: HTTPResponse
        do {
            response = try client.perform(http)
        } catch {
            return .failed(reason: "Icinga 2 API: \(error.redacting(password).description)")
        }
        return Self.outcome(status: response.status, body: response.body, secret: password)
    }

    /// The JSON body of `acknowledge-problem` for `request` on `host` (`service` nil) or
    /// `host!service`; keys sorted, so the same request always gives the same bytes.
    static func requestBody(for request: AckRequest, host: String, service: String?) throws -> [UInt8] {
        let body = RequestBody(
            type: service == nil ? "Host" : "Service",
            host: service == nil ? host : nil,
            service: service.map { "\(host)!\($0)" },
            author: request.author,
            comment: request.comment,
            sticky: true,
            notify: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(body))
    }

    /// What Icinga's reply says, for one object.
    ///
    /// A result code 2xx is done; a result code or HTTP status 409 is "already acknowledged" or
    /// "not in a problem state" (Icinga's own words, quoted); 401, 403 and 404 are named; any
    /// other reply is quoted with its status. `secret` is removed from anything quoted.
    static func outcome(status: Int, body: [UInt8], secret: String) -> AckOutcome {
        let reply = try? JSONDecoder().decode(Reply.self, from: Data(body))
        let results = reply?.results ?? []
        let codes = results.compactMap { $0.code.flatMap(Int.init(exactly:)) }
        let said = results.lazy.compactMap(\.status).first ?? reply?.status
        let quoted = said.map { quote($0, secret: secret) }

        if codes.contains(where: { (200...299).contains($0) }) {
            return .acknowledged(detail: acknowledgedDetail)
        }
        if codes.contains(409) || status == 409 {
            return .alreadyDone(detail: quoted ?? "already acknowledged, or not a problem now")
        }
        switch status {
        case 401:
            return .failed(reason: unauthorizedReason)
        case 403:
            return .failed(reason: "Icinga 2 API user may not acknowledge (permission actions/acknowledge-problem)")
        case 404:
            return .failed(reason: notFoundReason)
        case 200...299 where results.isEmpty:
            return .failed(reason: notFoundReason)
        default:
            let text = quoted ?? quote(String(decoding: body, as: UTF8.self), secret: secret)
            return .failed(reason: "Icinga 2 API answered HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }

    /// Text from Icinga made fit for an SMS and a log line: `secret` removed, control characters
    /// escaped, at most ``quotedLimit`` characters (`...` marking a cut).
    static func quote(_ text: String, secret: String) -> String {
        let shown = (secret.isEmpty ? text : text.replacingOccurrences(of: secret, with: "<redacted>")).displayEscaped
        guard shown.count > quotedLimit else { return shown }
        return String(shown.prefix(quotedLimit - 3)) + "..."
    }
}

extension Icinga2Acknowledger {
    /// `acknowledge-problem`'s parameters, for one host or one service by name.
    struct RequestBody: Encodable {
        var type: String
        var host: String?
        var service: String?
        var author: String
        var comment: String
        var sticky: Bool
        var notify: Bool
    }

    /// Icinga's answer: one result per object acted on (`{"results":[{"code":409.0,"status":"…"}]}`),
    /// or an error (`{"error":404,"status":"No objects found."}`).
    struct Reply: Decodable {
        /// What Icinga did to one object.
        struct ObjectResult: Decodable {
            var code: Double?
            var status: String?
        }

        var results: [ObjectResult]?
        var status: String?
    }
}
