#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The fields of one request SMSPartner makes to a URL of ours (a delivery receipt to `urlDlr`,
/// a reply to the reply URL), read leniently: from the query string of a GET, or from a POST
/// body in `application/x-www-form-urlencoded` or JSON (an object whose values may be strings,
/// numbers or booleans), a field in the body winning over the same field in the query.
///
/// Names are compared case-insensitively; values empty or only whitespace count as absent
/// (``untrimmed(_:)`` aside).
struct CallbackFields {
    /// Why the request could not be read at all.
    enum Failure: Error, Sendable, Equatable {
        /// The body is longer than the limit; it was not read.
        case bodyTooLarge(bytes: Int)
        /// The JSON body nests arrays and objects deeper than the limit; it was not read.
        case nestedTooDeep
        /// The body is neither a JSON object nor a form; says why.
        case unreadableBody(String)
    }

    /// Lower-cased name → value as received (whitespace kept).
    private var values: [String: String] = [:]

    /// Reads one request: `query` is its query string (with or without the leading `?`),
    /// `body` and `contentType` its body and `Content-Type` (nil when absent).
    ///
    /// A body is JSON when its content type says JSON (`application/json`, `…+json`,
    /// `text/json`), or says nothing known and the body starts with `{`; it is a form otherwise.
    /// The body is refused over `maxBodyBytes`, and JSON over `maxJSONDepth` levels, before
    /// anything is decoded. Never traps, whatever the input.
    static func read(
        query: String?, body: [UInt8], contentType: String?, maxBodyBytes: Int, maxJSONDepth: Int
    ) -> Result<CallbackFields, Failure> {
        guard body.count <= maxBodyBytes else { return .failure(.bodyTooLarge(bytes: body.count)) }
        var fields = CallbackFields()
        if let query {
            let text = query.hasPrefix("?") ? query.dropFirst() : Substring(query)
            fields.merge(FormFields.parse(text), overriding: false)
        }
        if !body.allSatisfy(isJSONSpace) {
            switch bodyFields(body, contentType: contentType, maxJSONDepth: maxJSONDepth) {
            case .success(let bodyFields): fields.merge(bodyFields, overriding: true)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(fields)
    }

    /// The value of the first of `names` (lower-case) present and not only whitespace, trimmed
    /// of ASCII whitespace.
    func first(_ names: [String]) -> String? {
        names.lazy.compactMap { values[$0]?.trimmingASCIIWhitespace() }.first { !$0.isEmpty }
    }

    /// The value of the first of `names` (lower-case) present, as received: it may be only
    /// whitespace (never empty).
    func untrimmed(_ names: [String]) -> String? {
        names.lazy.compactMap { values[$0] }.first
    }

    /// Whether the first of `names` present says yes: `true`, `1` or `yes`, case-insensitively;
    /// nil when none is present.
    func flag(_ names: [String]) -> Bool? {
        first(names).map { ["true", "1", "yes"].contains($0.lowercased()) }
    }

    /// The fields of a non-empty body, JSON or form as its content type and first byte say.
    private static func bodyFields(
        _ body: [UInt8], contentType: String?, maxJSONDepth: Int
    ) -> Result<[(name: String, value: String)], Failure> {
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

    /// Adds `new` under lower-cased names, empty values skipped: the first value of a name
    /// within `new` is kept, and it replaces an older one only when `overriding`. A value only
    /// whitespace is kept where there is none, but never replaces one and is replaced by any.
    private mutating func merge(_ new: [(name: String, value: String)], overriding: Bool) {
        var seen = Set<String>()
        for (name, value) in new where !value.isEmpty {
            let key = name.lowercased()
            guard !value.trimmingASCIIWhitespace().isEmpty else {
                if values[key] == nil { values[key] = value }
                continue
            }
            guard seen.insert(key).inserted else { continue }
            if overriding || (values[key]?.trimmingASCIIWhitespace() ?? "").isEmpty { values[key] = value }
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
