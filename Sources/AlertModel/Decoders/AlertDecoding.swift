/// The decode step: one input, in a given or detected family, to one ``Notification``.
public enum AlertDecoding {
    /// What was decoded and in which family.
    public struct Decoded: Sendable, Equatable {
        /// The family actually used (never ``InputFormat/auto``).
        public var format: InputFormat
        public var notification: Notification

        public init(format: InputFormat, notification: Notification) {
            self.format = format
            self.notification = notification
        }
    }

    /// Whether decoding `format` (after ``InputDetector/detectWithoutBody(_:)`` for `auto`)
    /// needs standard input.
    public static func needsBody(_ format: InputFormat?) -> Bool {
        switch format {
        case .nagios, .icinga: false
        case .alertmanager, .generic, .auto, nil: true
        }
    }

    /// Decodes `input` as `format`, detecting the family for ``InputFormat/auto``; an
    /// Alertmanager alert's subject is chosen by `subjects`.
    public static func decode(_ input: AlertInput, format: InputFormat, subjects: SubjectRules = .standard) throws(DecodeError) -> Decoded {
        var format = format
        if format == .auto {
            if let decided = try InputDetector.detectWithoutBody(input) {
                format = decided
            } else {
                guard let body = input.body else { throw .noInput }
                format = try InputDetector.detect(body: body)
            }
        }
        switch format {
        case .nagios:
            return Decoded(format: .nagios, notification: try NagiosDecoder.decode(input))
        case .icinga:
            return Decoded(format: .icinga, notification: try IcingaDecoder.decode(input))
        case .alertmanager:
            guard let body = input.body, body.contains(where: { !InputDetector.isJSONWhitespace($0) }) else {
                throw .noInput
            }
            return Decoded(format: .alertmanager, notification: try AlertmanagerDecoder.decode(body, subjects: subjects))
        case .generic, .auto:
            guard let body = input.body else { throw .noInput }
            return Decoded(format: .generic, notification: try GenericDecoder.decode(body))
        }
    }
}
