/// One monitoring alert, normalised from whichever input family it came in.
///
/// Every decoder produces this; grouping, rendering and policy only ever see this model.
/// Text fields hold the source's values as given (trimmed); a missing field is `nil`, never "".
public struct Alert: Sendable, Equatable {
    /// The input family an alert was decoded from.
    public enum Source: String, Sendable, Equatable, CaseIterable {
        case nagios
        case icinga
        case alertmanager
        case generic
    }

    public var source: Source
    /// The notification type as the source names it: `PROBLEM`, `RECOVERY`, `FLAPPINGSTART`,
    /// `firing`, `resolved`… ``kind`` is its normalised form.
    public var notificationType: String?
    /// Host name (Nagios/Icinga), the `instance`/`host` label, or the generic `host`.
    public var host: String?
    /// Icinga's HOSTDISPLAYNAME or Nagios' HOSTALIAS, when it differs from ``host``.
    public var hostDisplayName: String?
    /// Host address (HOSTADDRESS), when the source gives it.
    public var hostAddress: String?
    /// `UP`, `DOWN`, `UNREACHABLE`.
    public var hostState: String?
    /// Service description (Nagios/Icinga), the alert name (Alertmanager) or the generic `service`.
    public var service: String?
    /// Icinga's SERVICEDISPLAYNAME, when it differs from ``service``.
    public var serviceDisplayName: String?
    /// `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    public var serviceState: String?
    /// The check's first output line (HOSTOUTPUT/SERVICEOUTPUT).
    public var output: String?
    /// The check's further output lines (LONGHOSTOUTPUT/LONGSERVICEOUTPUT).
    public var longOutput: String?
    /// A one-line summary (generic `summary`, Alertmanager `summary` annotation).
    public var summary: String?
    /// Longer text (generic `details`, Alertmanager `description` annotation).
    public var details: String?
    /// Who acknowledged, scheduled the downtime or sent the custom notification.
    public var author: String?
    /// Their comment.
    public var comment: String?
    /// Severity as the source says it (`severity` label, generic `severity`), if any.
    public var severity: String?
    /// Labels in the source's order: Alertmanager labels, Nagios/Icinga custom variables
    /// (`_HOSTx` → `host_x`, `_SERVICEx` → `service_x`), generic `labels`.
    public var labels: [Label]
    /// Alertmanager annotations, in the source's order.
    public var annotations: [Label]
    /// When the alert started (Alertmanager `startsAt`) or the notification time
    /// (Nagios LONGDATETIME, Icinga LONGDATETIME), as the source wrote it.
    public var startsAt: String?
    /// When it ended (Alertmanager `endsAt`; nil for the zero time `0001-01-01T00:00:00Z`).
    public var endsAt: String?
    /// Alertmanager's fingerprint.
    public var fingerprint: String?
    /// A link back to the source (Alertmanager `generatorURL`).
    public var url: String?
    /// The source's own deduplication key: same key = same notification (see each decoder).
    public var dedupKey: String?
    /// An Alertmanager alert's identity, set by its decoder (nil for other sources).
    public var identity: AlertIdentity?
    /// Recipients named by the input itself (a contact's pager, a `to` field), not yet validated.
    public var recipients: [String]

    public init(
        source: Source,
        notificationType: String? = nil,
        host: String? = nil,
        hostDisplayName: String? = nil,
        hostAddress: String? = nil,
        hostState: String? = nil,
        service: String? = nil,
        serviceDisplayName: String? = nil,
        serviceState: String? = nil,
        output: String? = nil,
        longOutput: String? = nil,
        summary: String? = nil,
        details: String? = nil,
        author: String? = nil,
        comment: String? = nil,
        severity: String? = nil,
        labels: [Label] = [],
        annotations: [Label] = [],
        startsAt: String? = nil,
        endsAt: String? = nil,
        fingerprint: String? = nil,
        url: String? = nil,
        dedupKey: String? = nil,
        recipients: [String] = []
    ) {
        self.source = source
        self.notificationType = notificationType
        self.host = host
        self.hostDisplayName = hostDisplayName
        self.hostAddress = hostAddress
        self.hostState = hostState
        self.service = service
        self.serviceDisplayName = serviceDisplayName
        self.serviceState = serviceState
        self.output = output
        self.longOutput = longOutput
        self.summary = summary
        self.details = details
        self.author = author
        self.comment = comment
        self.severity = severity
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.fingerprint = fingerprint
        self.url = url
        self.dedupKey = dedupKey
        self.recipients = recipients
    }

    /// The normalised notification type.
    public var kind: NotificationKind { NotificationKind(notificationType) }

    /// Whether this is about a service (else about a host, or a generic alert).
    public var isServiceAlert: Bool { service != nil }

    /// The state that matters: the service state for a service alert, else the host state.
    public var state: String? { isServiceAlert ? serviceState : hostState }

    /// The value of a label, by exact name.
    public func label(_ name: String) -> String? {
        labels.first(where: { $0.name == name })?.value
    }

    /// The value of an annotation, by exact name.
    public func annotation(_ name: String) -> String? {
        annotations.first(where: { $0.name == name })?.value
    }

    /// Whether the alert carries anything worth texting: a host, a service, an output,
    /// a summary or details. Decoders refuse alerts without.
    public var hasContent: Bool {
        [host, service, output, summary, details].contains { $0 != nil }
    }
}
