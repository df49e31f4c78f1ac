/// Everything an alert can come from in one invocation: the alert flags, the environment and
/// the bytes on standard input. Decoders and ``InputDetector`` read only this.
public struct AlertInput: Sendable {
    /// The contract's alert flags as given (`--notification-type`, `--host`, `--host-state`,
    /// `--service`, `--service-state`, `--output`).
    public struct Flags: Sendable, Equatable {
        public var notificationType: String?
        public var host: String?
        public var hostState: String?
        public var service: String?
        public var serviceState: String?
        public var output: String?
        /// Who acknowledged, scheduled the downtime or sent the custom notification
        /// (`$NOTIFICATIONAUTHOR$`), and their comment (`$NOTIFICATIONCOMMENT$`).
        public var author: String?
        public var comment: String?

        public init(
            notificationType: String? = nil,
            host: String? = nil,
            hostState: String? = nil,
            service: String? = nil,
            serviceState: String? = nil,
            output: String? = nil,
            author: String? = nil,
            comment: String? = nil
        ) {
            self.notificationType = notificationType
            self.host = host
            self.hostState = hostState
            self.service = service
            self.serviceState = serviceState
            self.output = output
            self.author = author
            self.comment = comment
        }

        /// Whether any flag that describes an alert was given (an author or a comment alone
        /// does not).
        public var isEmpty: Bool {
            [notificationType, host, hostState, service, serviceState, output].allSatisfy { $0 == nil }
        }
    }

    /// The largest alert body read (standard input, an HTTP request): 1 MiB. Larger bodies are
    /// refused before decoding, so decoders never see more.
    public static let maxBodyBytes = 1 << 20

    public var flags: Flags
    /// The process environment.
    public var environment: [String: String]
    /// Standard input, or nil when it was not read (a terminal, or flags made it unnecessary).
    public var body: [UInt8]?

    public init(flags: Flags = Flags(), environment: [String: String] = [:], body: [UInt8]? = nil) {
        self.flags = flags
        self.environment = environment
        self.body = body
    }

    /// The environment value, trimmed; nil when absent, blank, or an unexpanded macro
    /// (`$HOSTNAME$`), which is what Nagios and Icinga leave when a macro does not apply.
    public func env(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        if value.count > 2, value.first == "$", value.last == "$" { return nil }
        return value
    }
}
