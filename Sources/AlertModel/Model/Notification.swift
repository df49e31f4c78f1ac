/// What one SMS is about: one alert (Nagios, Icinga, generic) or one Alertmanager group of
/// alerts. Built by the decoders (``AlertGrouping`` for Alertmanager); rendered as one SMS
/// per recipient.
public struct Notification: Sendable, Equatable {
    public var source: Alert.Source
    /// The alerts, most severe first (firing before resolved, then by severity).
    public var alerts: [Alert]
    /// The group's status as the source names it (Alertmanager `firing`/`resolved`; the
    /// alert's notification type otherwise).
    public var status: String?
    /// Alertmanager's receiver name (used to route recipients).
    public var receiver: String?
    /// Alertmanager's group key.
    public var groupKey: String?
    /// Alertmanager's group labels.
    public var groupLabels: [Label]
    /// Labels every alert shares (Alertmanager `commonLabels`), factored out of the per-alert text.
    public var commonLabels: [Label]
    /// Annotations every alert shares.
    public var commonAnnotations: [Label]
    /// Alertmanager's external URL.
    public var externalURL: String?
    /// Alerts Alertmanager left out of the payload (`truncatedAlerts`), counted in "+K more".
    public var truncatedAlerts: Int
    /// Recipients named by the input (contact pager, `to` field), in order, without repeats.
    public var recipients: [String]
    /// One key for the whole notification: the alert's key, or for a group a key derived
    /// from every alert's key (same alerts in the same states = same key).
    public var dedupKey: String?

    public init(
        source: Alert.Source,
        alerts: [Alert],
        status: String? = nil,
        receiver: String? = nil,
        groupKey: String? = nil,
        groupLabels: [Label] = [],
        commonLabels: [Label] = [],
        commonAnnotations: [Label] = [],
        externalURL: String? = nil,
        truncatedAlerts: Int = 0,
        recipients: [String] = [],
        dedupKey: String? = nil
    ) {
        self.source = source
        self.alerts = alerts
        self.status = status
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.truncatedAlerts = truncatedAlerts
        self.recipients = recipients
        self.dedupKey = dedupKey
    }

    /// A notification about one alert: its type is the status, its recipients and key are its own.
    public init(single alert: Alert) {
        self.init(
            source: alert.source,
            alerts: [alert],
            status: alert.notificationType,
            recipients: alert.recipients,
            dedupKey: alert.dedupKey
        )
    }

    /// Alerts whose kind is ``NotificationKind/problem``.
    public var firingCount: Int { alerts.count(where: { $0.kind == .problem }) }
    /// Alerts whose kind is ``NotificationKind/recovery``.
    public var resolvedCount: Int { alerts.count(where: { $0.kind == .recovery }) }
    /// Every alert the source knows about, those left out of the payload included.
    public var totalCount: Int { alerts.count + truncatedAlerts }
}
