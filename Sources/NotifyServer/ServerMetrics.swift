import CoreMetrics
import NotifyCore
import NotifyState
import Prometheus

/// What `serve` counts, through swift-metrics, exposed by `GET /metrics` in the Prometheus
/// text format (swift-prometheus). Request counts and latency come from
/// ``RequestMetricsMiddleware`` (`http_server_request_duration`, `http_server_active_requests`).
/// Every label takes its values from a fixed set: what a client sends never adds a series.
///
/// - `smspartner_webhooks_total{route,status}`: requests to the alert routes by HTTP status, and
///   refusals (401, 403) of any path, under its route or `unmatched`;
/// - `smspartner_alerts_received_total{route}`: alerts in accepted payloads;
/// - `smspartner_decisions_total{decision}`: per recipient, `queued`, `duplicate`, `held`;
/// - `smspartner_suppressed_total{reason}`: duplicates and holds by reason;
/// - `smspartner_sms_sent_total`, `smspartner_sms_segments_total`, `smspartner_sms_cost_total`;
/// - `smspartner_sms_failed_total{class}`: refused for good (`rejected`, `account`,
///   `configuration`), or retried later (`transient`), or `expired`, or sent without an
///   answer (`unknown`: SMSPartner is asked by tag before any resend);
/// - `smspartner_sms_confirmed_total`: of those, found taken by SMSPartner (also counted sent);
/// - `smspartner_outbox_depth`, `smspartner_outbox_oldest_age_seconds`, `smspartner_outbox_held`;
/// - `smspartner_serve_connections`, `smspartner_serve_connections_closed_total{reason}`;
/// - `smspartner_receipts_total{state}`: final delivery receipts, `delivered`, `not_delivered`,
///   `expired` (no final report within 48 h), recorded by this process (polled or pushed);
/// - `smspartner_receipt_seconds`: a histogram of the time from sending to a final report;
/// - `smspartner_receipt_callbacks_total{result}`: pushed receipts, `recorded`, `unchanged`,
///   `unknown` (no such message), `invalid` (unreadable), `forbidden` (wrong token), `disabled`
///   (no `receipts.token_file`).
/// - `smspartner_reply_callbacks_total{result}`: SMS replies (two-way paging), by what became
///   of them (``ReplyReport/Outcome``, or `invalid`, `forbidden`, `disabled`, `partial`).
/// - `smspartner_deadman_heartbeats_total`: heartbeats (the Watchdog) in accepted payloads;
///   `smspartner_deadman_clusters`, `smspartner_deadman_silent_clusters`: the Alertmanager
///   clusters tracked, and those silent (see ``DeadmanSwitch``). No cluster is ever a label.
/// - `smspartner_escalations_total{event}`: escalations `started` (by a webhook), and their
///   turns (``Escalator``): `step`, `acked`, `resolved`, `exhausted`.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    /// Makes swift-metrics report to a new Prometheus registry (once per process).
    public static func bootstrap() -> ServerMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // From seconds to SMSPartner's 48 h.
        factory.durationHistogramBuckets[receiptLatency] = [5, 15, 30, 60, 120, 300, 900, 1800, 3600, 3 * 3600, 12 * 3600, 48 * 3600]
            .map { Duration.seconds($0) }
        MetricsSystem.bootstrap(factory)
        return ServerMetrics(registry: registry)
    }

    public func webhook(route: String, reply: IntakeReply) {
        Counter(label: "smspartner_webhooks_total", dimensions: [("route", route), ("status", String(reply.status))]).increment()
        guard reply.status == 200 else { return }
        Counter(label: "smspartner_alerts_received_total", dimensions: [("route", route)]).increment(by: reply.alerts)
        if reply.heartbeats > 0 { Counter(label: "smspartner_deadman_heartbeats_total").increment(by: reply.heartbeats) }
        if let kind = reply.escalation { escalated(kind) }
        for decision in reply.decisions {
            Counter(label: "smspartner_decisions_total", dimensions: [("decision", decision.decision)]).increment()
            if decision.decision != "queued" {
                let reason = decision.decision == "held" ? String(decision.detail?.prefix(while: { $0 != ":" }) ?? "held") : decision.decision
                Counter(label: "smspartner_suppressed_total", dimensions: [("reason", reason)]).increment()
            }
        }
    }

    /// A 401, 403, 413, 415 or other refusal before the payload was read, of a request for
    /// `path`: counted under its route, or `unmatched` (``RouteLabel``), never under the path.
    public func refused(path: String, status: Int) {
        Counter(label: "smspartner_webhooks_total", dimensions: [("route", RouteLabel.of(path)), ("status", String(status))]).increment()
    }

    /// A connection `serve` closed: `idle`, `read_timeout`, `evicted_idle` (to make room for a
    /// new one), `over_capacity` (a new one, every other being busy).
    public func connectionClosed(reason: String) {
        Counter(label: "smspartner_serve_connections_closed_total", dimensions: [("reason", reason)]).increment()
    }

    /// The connections held now.
    public func connections(_ count: Int) {
        Gauge(label: "smspartner_serve_connections").record(count)
    }

    public func delivered(_ report: FlushReport) {
        for result in report.results {
            switch result.outcome {
            case .sent(_, let nbSMS, let cost, _):
                Counter(label: "smspartner_sms_sent_total").increment()
                // A request's nb_sms and cost are shared between its recipients, as in the store.
                let recipients = report.results.filter { $0.receipt == result.receipt }.count
                Counter(label: "smspartner_sms_segments_total").increment(by: max(1, nbSMS / max(recipients, 1)))
                if let cost { FloatingPointCounter(label: "smspartner_sms_cost_total").increment(by: cost / Double(max(recipients, 1))) }
            case .failed(let errorClass, _):
                Counter(label: "smspartner_sms_failed_total", dimensions: [("class", errorClass)]).increment()
            case .retry:
                Counter(label: "smspartner_sms_failed_total", dimensions: [("class", "transient")]).increment()
            case .expired:
                Counter(label: "smspartner_sms_failed_total", dimensions: [("class", "expired")]).increment()
            case .unknown:
                Counter(label: "smspartner_sms_failed_total", dimensions: [("class", "unknown")]).increment()
            case .confirmed:
                Counter(label: "smspartner_sms_sent_total").increment()
                Counter(label: "smspartner_sms_confirmed_total").increment()
            }
        }
        if report.expired > 0 {
            Counter(label: "smspartner_sms_failed_total", dimensions: [("class", "expired")]).increment(by: report.expired)
        }
    }

    public func outbox(_ snapshot: StatusSnapshot) {
        Gauge(label: "smspartner_outbox_depth").record(snapshot.queued)
        Gauge(label: "smspartner_outbox_held").record(snapshot.held)
        let age = snapshot.oldestQueued.map { max(0, Double((snapshot.now - $0).wholeMilliseconds) / 1000) } ?? 0
        Gauge(label: "smspartner_outbox_oldest_age_seconds").record(age)
    }

    static let receiptLatency = "smspartner_receipt_seconds"

    /// Final receipts this process recorded.
    public func receipts(_ finals: [ReceiptFinal]) {
        for final in finals {
            Counter(label: "smspartner_receipts_total", dimensions: [("state", final.state.rawValue)]).increment()
            if final.state != .expired {
                Timer(label: Self.receiptLatency).recordNanoseconds(max(0, final.latency.wholeMilliseconds) * 1_000_000)
            }
        }
    }

    /// A pushed receipt, by what became of it (a value of a fixed set).
    public func receiptCallback(_ result: String) {
        Counter(label: "smspartner_receipt_callbacks_total", dimensions: [("result", result)]).increment()
    }

    /// A reply callback, by what became of it: a ``ReplyReport/Outcome`` or `invalid`,
    /// `forbidden`, `disabled`, `partial` (a part of a long reply, kept until the rest comes).
    public func replyCallback(_ result: String) {
        Counter(label: "smspartner_reply_callbacks_total", dimensions: [("result", result)]).increment()
    }

    /// What an escalation run did.
    public func escalations(_ report: EscalationReport) {
        for event in report.events { escalated(event.kind) }
    }

    func escalated(_ kind: EscalationEvent.Kind) {
        Counter(label: "smspartner_escalations_total", dimensions: [("event", kind.rawValue)]).increment()
    }

    /// Where the dead man's switch stands.
    public func deadman(_ report: DeadmanReport) {
        Gauge(label: "smspartner_deadman_clusters").record(report.clusters)
        Gauge(label: "smspartner_deadman_silent_clusters").record(report.silent)
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
