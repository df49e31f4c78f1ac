#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SMSPartnerClient {
    /// SMSPartner's limit of messages asked about in one `POST /multi-status`; the caller splits
    /// longer lists.
    public static let maxStatusQueries = 500

    /// The delivery of each message to each number asked about (`POST /multi-status`), in the
    /// order SMSPartner lists them: find each query's answer with ``MessageStatus/matches(_:)``.
    ///
    /// At most ``maxStatusQueries`` queries (SMSPartner refuses more, with code 9); none makes
    /// no request. An entry SMSPartner marks `success: false` (a message or number it does not
    /// know) is ``ReportedDelivery/unrecognized(_:)``, which is not final.
    public func multiStatus(_ queries: [StatusQuery], timeout: Duration) -> Result<[MessageStatus], SMSPartnerError> {
        guard !queries.isEmpty else { return .success([]) }
        let body = MultiStatusBody(
            apiKey: apiKey.secret,
            list: queries.map { .init(phoneNumber: $0.phoneNumber.e164, messageId: $0.messageID) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let http = HTTPRequest(
            method: .post,
            url: baseURL + "/multi-status",
            headers: ["Content-Type: application/json", "Accept: application/json"],
            // Encoding strings cannot fail.
            body: (try? Array(encoder.encode(body))) ?? [],
            connectTimeout: min(connectTimeout, timeout),
            timeout: timeout
        )
        return perform(http).flatMap { status, reply in
            guard let list = reply.statusList else {
                return .failure(.unreadableReply(httpStatus: status, excerpt: "no StatutResponse_List in the reply"))
            }
            return .success(list.map(\.messageStatus))
        }
    }

    /// The delivery of one message to one number (`GET /message-status`). A reply that leaves
    /// out the number or the message id is completed from `query`.
    public func messageStatus(_ query: StatusQuery, timeout: Duration) -> Result<MessageStatus, SMSPartnerError> {
        let http = HTTPRequest(
            method: .get,
            url: baseURL + "/message-status?apiKey=" + Self.percentEncoded(apiKey.secret)
                + "&messageId=" + Self.percentEncoded(query.messageID)
                + "&phoneNumber=" + Self.percentEncoded(query.phoneNumber.e164),
            headers: ["Accept: application/json"],
            connectTimeout: min(connectTimeout, timeout),
            timeout: timeout
        )
        return perform(http).flatMap { status, reply in
            guard let entry = reply.statusFields, entry.status != nil || entry.stopSMS == true else {
                return .failure(.unreadableReply(httpStatus: status, excerpt: "no statut in the reply"))
            }
            var answer = entry.messageStatus
            if answer.phoneNumber == nil { answer.phoneNumber = query.phoneNumber.e164 }
            if answer.messageID == nil { answer.messageID = query.messageID }
            return .success(answer)
        }
    }
}

/// The body of `POST /multi-status`.
private struct MultiStatusBody: Encodable {
    struct Item: Encodable {
        var phoneNumber: String
        var messageId: String
    }

    var apiKey: String
    var list: [Item]

    enum CodingKeys: String, CodingKey {
        case apiKey
        case list = "SMSStatut_List"
    }
}
