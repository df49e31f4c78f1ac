import Logging
import SMSText

/// A `LogHandler` that writes every message, metadata key and value, and error through
/// another one with its control characters, line separators and bidi overrides escaped
/// (``SMSText/DisplayEscaping``): what a client sent (a receiver name, a path, a header) can
/// then neither forge a log line nor drive a terminal, whichever log call it reaches.
public struct EscapingLogHandler: LogHandler {
    /// Where the escaped lines go; its own metadata stays empty (this handler keeps it).
    private var wrapped: any LogHandler
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public init(wrapping handler: any LogHandler) {
        var handler = handler
        metadata = handler.metadata
        metadataProvider = handler.metadataProvider
        handler.metadata = [:]
        handler.metadataProvider = nil
        wrapped = handler
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = .string("\(error)")
            merged["error.type"] = .string(String(reflecting: type(of: error)))
        }
        var escaped = event
        escaped.error = nil
        escaped.message = "\(DisplayEscaping.escaped(event.message.description))"
        escaped.metadata = merged.isEmpty ? nil : Self.escaped(merged)
        wrapped.log(event: escaped)
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var result: Logger.Metadata = [:]
        for (key, value) in metadata { result[DisplayEscaping.escaped(key)] = escaped(value) }
        return result
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(DisplayEscaping.escaped(text))
        case .stringConvertible(let convertible): .string(DisplayEscaping.escaped(convertible.description))
        case .array(let values): .array(values.map(escaped))
        case .dictionary(let dictionary): .dictionary(escaped(dictionary))
        }
    }
}
