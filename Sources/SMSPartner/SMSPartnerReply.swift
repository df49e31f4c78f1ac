#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON replies of the SMSPartner API, decoded leniently: numbers may come as strings
/// and strings as numbers, unknown fields are ignored.
struct SMSPartnerReply: Decodable {
    var success: Bool?
    var code: Int?
    var message: String?
    var errors: [SMSPartnerError.FieldError]
    var messageID: String?
    var nbSMS: Int?
    var cost: Double?
    var currency: String?
    var user: User?
    var credits: Credits?
    /// `GET /bulk-status-by-tag`, `POST /multi-status`: one entry per number (nil when the
    /// reply has no list).
    var statusList: [StatusEntry]?
    var total: Int?
    /// `GET /message-status`: the reply's own top-level `number`, `messageId`, `statut`…
    var statusFields: StatusEntry?

    /// What SMSPartner says of one message to one number, in a list or at the top level.
    struct StatusEntry: Decodable {
        var phoneNumber: String?
        var status: String?
        var success: Bool?
        var messageID: String?
        var date: String?
        var stopSMS: Bool?
        /// Why an entry marked `success: false` failed, when it says.
        var message: String?

        init(phoneNumber: String?, status: String?, success: Bool? = nil) {
            self.phoneNumber = phoneNumber
            self.status = status
            self.success = success
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            phoneNumber = c.lenientString("phoneNumber") ?? c.lenientString("number")
            status = c.lenientString("status") ?? c.lenientString("statut")
            success = c.lenientBool("success")
            messageID = c.lenientString("messageId") ?? c.lenientString("message_id")
            date = c.lenientString("date")
            stopSMS = c.lenientBool("stopSms") ?? c.lenientBool("stopSMS")
            message = c.lenientString("message")
        }

        /// This entry as a ``MessageStatus``: an entry without a status (one SMSPartner marks
        /// `success: false`, say) is ``ReportedDelivery/unrecognized(_:)`` with its message.
        var messageStatus: MessageStatus {
            let delivery: ReportedDelivery =
                if let status, !status.trimmingASCIIWhitespace().isEmpty {
                    .from(status: status, stopSMS: stopSMS)
                } else if stopSMS == true {
                    .notDelivered(reason: ReportedDelivery.stopListReason)
                } else {
                    .unrecognized(message ?? "")
                }
            return MessageStatus(phoneNumber: phoneNumber, messageID: messageID, delivery: delivery, date: date, stopSMS: stopSMS)
        }
    }

    struct User: Decodable {
        var username: String?
    }

    struct Credits: Decodable {
        var creditSms: Int?
        var creditSmsECO: Int?
        var balance: String?
        var currency: String?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            creditSms = c.lenientInt("creditSms")
            creditSmsECO = c.lenientInt("creditSmsECO")
            balance = c.lenientString("balance")
            currency = c.lenientString("currency")
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        success = c.lenientBool("success")
        code = c.lenientInt("code")
        message = c.lenientString("message")
        messageID = c.lenientString("message_id")
        nbSMS = c.lenientInt("nb_sms")
        cost = c.lenientDouble("cost")
        currency = c.lenientString("currency")
        user = try? c.decodeIfPresent(User.self, forKey: AnyKey("user"))
        credits = try? c.decodeIfPresent(Credits.self, forKey: AnyKey("credits"))
        total = c.lenientInt("total")
        statusFields = try? StatusEntry(from: decoder)
        if var list = try? c.nestedUnkeyedContainer(forKey: AnyKey("StatutResponse_List")) {
            var entries: [StatusEntry] = []
            while !list.isAtEnd {
                if let entry = try? list.decode(StatusEntry.self) {
                    entries.append(entry)
                } else {
                    // Not an object: it still says SMSPartner has something under this tag.
                    _ = try? list.decode(Skip.self)
                    entries.append(StatusEntry(phoneNumber: nil, status: nil))
                }
            }
            statusList = entries
        }
        errors = []
        if var list = try? c.nestedUnkeyedContainer(forKey: AnyKey("errors")) {
            while !list.isAtEnd {
                guard let item = try? list.nestedContainer(keyedBy: AnyKey.self) else {
                    _ = try? list.decode(Skip.self)
                    continue
                }
                errors.append(
                    .init(
                        elementID: item.lenientString("elementId") ?? "",
                        message: item.lenientString("message") ?? ""
                    ))
            }
        }
    }

    /// Decodes a body, or nil if it is not a JSON object.
    static func decode(_ body: [UInt8]) -> SMSPartnerReply? {
        // Foundation's parser traps on input that reaches its 513th level where it ends; a
        // real reply opens a handful of arrays and objects, so one with more than 512 is not read.
        guard body.lazy.filter({ $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }).count <= 512 else { return nil }
        return try? JSONDecoder().decode(SMSPartnerReply.self, from: Data(body))
    }
}

/// Consumes one JSON value of any shape.
private struct Skip: Decodable {}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    func lenientString(_ key: String) -> String? {
        let k = AnyKey(key)
        if let s = try? decodeIfPresent(String.self, forKey: k) { return s }
        if let i = try? decodeIfPresent(Int.self, forKey: k) { return String(i) }
        if let d = try? decodeIfPresent(Double.self, forKey: k) { return String(d) }
        return nil
    }

    func lenientInt(_ key: String) -> Int? {
        let k = AnyKey(key)
        if let i = try? decodeIfPresent(Int.self, forKey: k) { return i }
        if let s = try? decodeIfPresent(String.self, forKey: k) { return Int(s.trimmingASCIIWhitespace()) }
        if let d = try? decodeIfPresent(Double.self, forKey: k), d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        return nil
    }

    func lenientDouble(_ key: String) -> Double? {
        let k = AnyKey(key)
        if let d = try? decodeIfPresent(Double.self, forKey: k) { return d }
        if let s = try? decodeIfPresent(String.self, forKey: k) { return Double(s.trimmingASCIIWhitespace()) }
        return nil
    }

    func lenientBool(_ key: String) -> Bool? {
        let k = AnyKey(key)
        if let b = try? decodeIfPresent(Bool.self, forKey: k) { return b }
        if let i = try? decodeIfPresent(Int.self, forKey: k) { return i != 0 }
        if let s = try? decodeIfPresent(String.self, forKey: k) { return s == "true" || s == "1" }
        return nil
    }
}
