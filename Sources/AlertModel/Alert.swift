/// One monitoring alert, normalised from whichever input family it came in.
///
/// Every decoder produces this; rendering and policy only ever see this model.
public struct Alert: Sendable, Equatable {
    /// The input family an alert was decoded from.
    public enum Source: String, Sendable, Equatable, CaseIterable {
        case nagios
        case icinga
        case alertmanager
        case generic
    }

    public var source: Source
    /// The notification type as the source names it: `PROBLEM`, `RECOVERY`, `firing`…
    public var notificationType: String?
    public var host: String?
    public var hostState: String?
    /// Service description (Nagios/Icinga) or alert name.
    public var service: String?
    public var serviceState: String?
    /// The check's output.
    public var output: String?
    /// A one-line summary, for generic alerts.
    public var summary: String?
    /// More text after the summary, for generic alerts.
    public var details: String?
    /// The source's own deduplication key, if it has one.
    public var dedupKey: String?
    /// Recipients named by the input itself (a contact's pager, a `to` field), not yet validated.
    public var recipients: [String]

    public init(
        source: Source,
        notificationType: String? = nil,
        host: String? = nil,
        hostState: String? = nil,
        service: String? = nil,
        serviceState: String? = nil,
        output: String? = nil,
        summary: String? = nil,
        details: String? = nil,
        dedupKey: String? = nil,
        recipients: [String] = []
    ) {
        self.source = source
        self.notificationType = notificationType
        self.host = host
        self.hostState = hostState
        self.service = service
        self.serviceState = serviceState
        self.output = output
        self.summary = summary
        self.details = details
        self.dedupKey = dedupKey
        self.recipients = recipients
    }
}
