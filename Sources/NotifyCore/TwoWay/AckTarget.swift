import AlertModel

/// What an acknowledgement acts on, in the terms of the alert's source.
public enum AckTarget: Sendable, Equatable {
    /// A Nagios 4 host problem (`service` nil) or service problem.
    case nagios(host: String, service: String?)
    /// An Icinga 2 host (`service` nil) or service (`host!service`).
    case icinga(host: String, service: String?)
    /// Alertmanager alerts matching every one of `matchers` (equality): an alert's identifying
    /// labels, or a group's `groupLabels`; `externalURL` names the Alertmanager that sent it.
    case alertmanager(matchers: [Label], externalURL: String?)
}
