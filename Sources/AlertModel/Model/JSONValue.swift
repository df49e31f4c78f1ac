#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Any JSON value, decoded leniently, for inputs whose shape is open (the generic JSON alert).
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members sorted by name (JSON objects have no order that survives every producer).
    case object([(String, JSONValue)])

    public init(from decoder: any Decoder) throws {
        // Scalars first, strings before the rest: they are most of any document, and every
        // wrong guess costs a thrown DecodingError.
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let string = try? value.decode(String.self) {
            self = .string(string)
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? value.decode(Int64.self) {
            self = .number(String(int))
        } else if let double = try? value.decode(Double.self) {
            self = .number(double.description)
        } else if let object = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var members: [(String, JSONValue)] = []
            for key in object.allKeys {
                members.append((key.stringValue, try object.decode(JSONValue.self, forKey: key)))
            }
            self = .object(members.sorted { $0.0 < $1.0 })
        } else {
            var list = try decoder.unkeyedContainer()
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
        }
    }

    /// Parses JSON text; nil with a one-line reason when it is not JSON.
    public static func parse(_ bytes: [UInt8]) -> Result<JSONValue, DecodeFailure> {
        do {
            return .success(try decodeInput(JSONValue.self, from: Data(bytes)))
        } catch let failure as DecodeFailure {
            return .failure(failure)
        } catch let error as DecodingError {
            return .failure(DecodeFailure(reason: Self.describe(error)))
        } catch {
            return .failure(DecodeFailure(reason: "not JSON"))
        }
    }

    /// The most arrays and objects JSON may nest (Foundation's parser refuses deeper input).
    public static let maxNesting = 512

    /// Decodes `T` from input with Foundation's decoder, the one way every decoder of input
    /// reads JSON. Throws ``DecodeFailure`` ("nested too deeply…") first for input past
    /// ``maxNesting`` levels: Foundation refuses it too, but traps (an illegal instruction,
    /// the process gone) when the level it refuses is where the input ends. Otherwise
    /// Foundation's `DecodingError`.
    public static func decodeInput<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let deep = nestedTooDeeply(data) { throw DecodeFailure(reason: deep) }
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// "nested too deeply…" when `bytes` open more than ``maxNesting`` arrays or objects inside
    /// one another (outside strings), else nil: such JSON may be well-formed, and calling it
    /// "not JSON" would send the sender looking for a syntax error.
    public static func nestedTooDeeply<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String? {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
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
                if depth > maxNesting { return "JSON nested too deeply (more than \(maxNesting) levels of arrays and objects)" }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    /// Why some bytes are not JSON, in one line.
    public struct DecodeFailure: Error, Sendable, Equatable {
        public var reason: String
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            return "not JSON (\(Self.firstLine(detail)))"
        default:
            return "not JSON"
        }
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 120 ? String(line.prefix(120)) + "…" : line
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member's value, for an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    /// A scalar as text (strings trimmed, numbers and booleans spelt out); nil for null,
    /// arrays, objects and blank strings.
    public var text: String? {
        switch self {
        case .string(let s):
            let trimmed = s.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }
}

/// A coding key for any member name.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
