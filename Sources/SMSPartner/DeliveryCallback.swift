#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One delivery receipt as SMSPartner sends it to a send's `urlDlr`.
///
/// SMSPartner does not document this callback, so ``parse(query:body:contentType:)`` reads it
/// leniently: fields from the query string of a GET, or from a POST body in
/// `application/x-www-form-urlencoded` or JSON (an object whose values may be strings,
/// numbers or booleans), a field in the body winning over the same field in the query.
///
/// | field | names read, first found wins |
/// |---|---|
/// | message id | `messageId`, `message_id` |
/// | number | `phoneNumber`, `phone_number`, `msisdn` |
/// | status | `status`, `statut`, `dlr` (read by ``ReportedDelivery/init(status:)``) |
/// | STOP list | `stopSms` (`true`/`1`: not delivered, the number is on the STOP list) |
///
/// Names are compared case-insensitively; empty values count as absent.
public struct DeliveryCallback: Sendable, Equatable {
    /// The largest body read (16 KiB): a receipt is a few fields.
    public static let maxBodyBytes = 16 * 1024
    /// The deepest nesting of JSON arrays and objects read: a receipt is one flat object.
    public static let maxJSONDepth = 32

    /// SMSPartner's id for the message, when the receipt names it.
    public var messageID: String?
    /// The number as the receipt writes it (`+336…`, `336…`…), when it names it.
    public var phoneNumber: String?
    /// The status text as received.
    public var status: String
    /// What the status says.
    public var delivery: ReportedDelivery

    public init(messageID: String?, phoneNumber: String?, status: String, delivery: ReportedDelivery) {
        self.messageID = messageID
        self.phoneNumber = phoneNumber
        self.status = status
        self.delivery = delivery
    }

    /// Reads one callback request: `query` is its query string (with or without the leading
    /// `?`), `body` and `contentType` its body and `Content-Type` (nil when absent).
    ///
    /// A body is JSON when its content type says JSON (`application/json`, `…+json`), or says
    /// nothing known and the body starts with `{`; it is a form otherwise. The body is refused
    /// over ``maxBodyBytes``, and JSON over ``maxJSONDepth`` levels, before anything is decoded.
    /// Never traps, whatever the input.
    public static func parse(query: String?, body: [UInt8], contentType: String?) -> Result<DeliveryCallback, DeliveryCallbackError> {
        guard body.count <= maxBodyBytes else { return .failure(.bodyTooLarge(bytes: body.count)) }
        var fields: [String: String] = [:]
        if let query {
            let text = query.hasPrefix("?") ? query.dropFirst() : Substring(query)
            merge(FormFields.parse(text), into: &fields, overriding: false)
        }
        if !body.allSatisfy(isJSONSpace) {
            switch bodyFields(body, contentType: contentType) {
            case .success(let bodyFields): merge(bodyFields, into: &fields, overriding: true)
            case .failure(let error): return .failure(error)
            }
        }
        let found = fields
        let first = { (names: [String]) in names.lazy.compactMap { found[$0] }.first }
        guard let status = first(["status", "statut", "dlr"]) else { return .failure(.missingStatus) }
        let messageID = first(["messageid", "message_id"])
        let phoneNumber = first(["phonenumber", "phone_number", "msisdn"])
        guard messageID != nil || phoneNumber != nil else { return .failure(.missingMessageID) }
        let stop = first(["stopsms"]).map { ["true", "1", "yes"].contains($0.trimmingASCIIWhitespace().lowercased()) }
        return .success(DeliveryCallback(
            messageID: messageID, phoneNumber: phoneNumber, status: status,
            delivery: .from(status: status, stopSMS: stop)))
    }

    /// The fields of a non-empty body, JSON or form as its content type and first byte say.
    private static func bodyFields(_ body: [UInt8], contentType: String?) -> Result<[(name: String, value: String)], DeliveryCallbackError> {
        let mediaType = contentType?.split(separator: ";").first.map { String($0).trimmingASCIIWhitespace().lowercased() } ?? ""
        let isForm = mediaType == "application/x-www-form-urlencoded"
        let saysJSON = mediaType == "application/json" || mediaType.hasSuffix("+json") || mediaType == "text/json"
        let startsAsObject = body.first(where: { !isJSONSpace($0) }) == UInt8(ascii: "{")
        guard saysJSON || (!isForm && startsAsObject) else {
            return .success(FormFields.parse(Substring(String(decoding: body, as: UTF8.self))))
        }
        guard depth(of: body) <= maxJSONDepth else { return .failure(.nestedTooDeep) }
        guard let object = try? JSONDecoder().decode(FlatObject.self, from: Data(body)) else {
            return .failure(.unreadableBody("not a JSON object"))
        }
        return .success(object.fields)
    }

    /// Adds `new` to `fields` under lower-cased names (empty values skipped): the first value of
    /// a name within `new` is kept, and it replaces an older one only when `overriding`.
    private static func merge(_ new: [(name: String, value: String)], into fields: inout [String: String], overriding: Bool) {
        var seen = Set<String>()
        for (name, value) in new {
            let key = name.lowercased()
            let trimmed = value.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty, seen.insert(key).inserted else { continue }
            if overriding || fields[key] == nil { fields[key] = trimmed }
        }
    }

    /// The deepest nesting of arrays and objects in JSON text, brackets inside strings not counted.
    static func depth(of json: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }

    private static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}

/// A JSON object's members whose values are strings, numbers or booleans (as text); members
/// holding arrays, objects or null are skipped.
private struct FlatObject: Decodable {
    var fields: [(name: String, value: String)] = []

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys {
            if let text = c.lenientString(key.stringValue) {
                fields.append((key.stringValue, text))
            } else if let flag = try? c.decode(Bool.self, forKey: key) {
                fields.append((key.stringValue, flag ? "true" : "false"))
            }
        }
    }
}
