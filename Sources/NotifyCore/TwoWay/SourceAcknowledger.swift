/// Acknowledges alerts through their source's own API: Nagios 4's external command file,
/// Icinga 2's `acknowledge-problem` action, Alertmanager's silences.
///
/// Each call does its whole job (one request, one write) within `timeout` and never throws:
/// what went wrong is an ``AckOutcome/failed(reason:)`` worded for an SMS and a log line,
/// never with a secret in it.
public protocol SourceAcknowledger: Sendable {
    func acknowledge(_ request: AckRequest, timeout: Duration) -> AckOutcome
}
