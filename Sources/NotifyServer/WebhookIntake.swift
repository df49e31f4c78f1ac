import AlertModel
import NotifyCore
import NotifyState
import SMSText

/// The `serve` routes' work, without HTTP: decode, take out the heartbeats (the Watchdog, for
/// the dead man's switch), route, render, and commit the decisions to the outbox. A payload that only repeats what was accepted before is answered from a read,
/// before rendering, or from the ``ReplayCache`` when its very bytes were answered so and
/// nothing changed since; its duplicates go to the ``DuplicateRecorder``. Every call blocks
/// on the store: run it off the event loops.
///
/// - 200 once every recipient's decision is committed (queued for the worker, a duplicate,
///   or held for a digest);
/// - 400 for a payload no retry can fix (not the expected JSON, nothing to text, no recipient);
/// - 503 when the store stayed locked (Alertmanager retries), 500 when it failed otherwise.
public struct WebhookIntake: Sendable {
    public let snapshot: ServerRuntime.Snapshot
    /// Where duplicates answered from a read go to be recorded; without one, every decision
    /// is taken and recorded in a write transaction before the reply.
    public let recorder: DuplicateRecorder?
    /// Told whether the store took the decisions (`/healthz` reports what it refuses).
    public let health: StoreHealth?

    public init(snapshot: ServerRuntime.Snapshot, recorder: DuplicateRecorder? = nil, health: StoreHealth? = nil) {
        self.snapshot = snapshot
        self.recorder = recorder
        self.health = health
    }

    /// `POST /alertmanager`: an Alertmanager webhook (version 4).
    public func alertmanager(_ body: [UInt8]) -> IntakeReply {
        intake(body, route: "/alertmanager") { body throws(DecodeError) in
            try AlertmanagerDecoder.decode(body, subjects: snapshot.configuration.subjectRules)
        }
    }

    /// `POST /alert`: one generic JSON alert (`host`, `service`, `status`, `summary`, `to`…).
    public func generic(_ body: [UInt8]) -> IntakeReply {
        guard body.first(where: { !Self.isWhitespace($0) }) == UInt8(ascii: "{") else {
            return IntakeReply(status: 400, message: "expected one JSON object (see the generic alert fields)")
        }
        return intake(body, route: "/alert") { body throws(DecodeError) in try GenericDecoder.decode(body) }
    }

    /// A body answered from the ``ReplayCache`` when it repeats one answered before and
    /// nothing changed since; else decoded and admitted.
    func intake(_ body: [UInt8], route: String, decode: ([UInt8]) throws(DecodeError) -> Notification) -> IntakeReply {
        // Read before anything else: what is read after it is at least as recent.
        let version = recorder == nil ? nil : try? snapshot.outbox.store.commitVersion()
        if let recorder, let version,
            let (duplicates, reply) = snapshot.replays.answer(route: route, body: body, version: version, now: snapshot.outbox.now())
        {
            recorder.add(duplicates)
            return reply
        }
        let notification: Notification
        do {
            notification = try decode(body)
        } catch {
            return IntakeReply(status: 400, message: Self.describe(error))
        }
        // Recording a heartbeat commits: a body with one is never answered from the cache.
        let heartbeats: HeartbeatIntake
        let rest: Notification?
        switch takeHeartbeats(notification) {
        case .failure(let refusal): return refusal.reply
        case .success(let taken): (rest, heartbeats) = taken
        }
        var reply = IntakeReply(status: 200, message: "accepted")
        if let rest {
            reply = admit(rest) { duplicates, reply in
                guard let version else { return }
                snapshot.replays.remember(route: route, body: body, version: version,
                                          dedupWindow: snapshot.outbox.policy.settings.dedupWindow, duplicates: duplicates, reply: reply)
            }
        }
        guard heartbeats.count > 0 else { return reply }
        reply.alerts = notification.totalCount
        reply.heartbeats = heartbeats.count
        reply.ignoredClusters = heartbeats.ignored
        reply.decisions += heartbeats.decisions
        return reply
    }

    /// Decides for `notification`; `answered` gets the duplicates answered from a read, and
    /// the reply, when that is what it was.
    func admit(_ notification: Notification, answered: ([DuplicateDecision], IntakeReply) -> Void = { _, _ in }) -> IntakeReply {
        let configuration = snapshot.configuration
        let route = ReceiverRouting.route(notification, configuration: configuration, defaults: snapshot.defaults)
        let alerts = notification.totalCount
        if let refusal = route.refusal {
            return IntakeReply(status: 400, message: refusal.description, alerts: alerts)
        }
        guard !route.numbers.isEmpty else {
            let receiver = notification.receiver.map { "receiver \"\($0)\"" } ?? "this alert"
            return IntakeReply(
                status: 400, message: "no recipient for \(receiver): map it under receivers: in the configuration, or start serve with --to",
                alerts: alerts, skipped: route.skipped)
        }
        // A repeated webhook: answered from a read, without rendering nor waiting for the
        // write lock. Its text is the original's.
        if let recorder,
            let duplicates = try? snapshot.outbox.duplicates(of: notification, to: route.numbers, dedupKey: notification.dedupKey)
        {
            recorder.add(duplicates)
            let decisions = duplicates.map { Self.duplicate(to: $0.recipient, of: $0.earlier) }
            let reply = IntakeReply(status: 200, message: "accepted", decisions: decisions, alerts: alerts, skipped: route.skipped)
            answered(duplicates, reply)
            return reply
        }
        let rendered = snapshot.settings.renderer.render(notification)
        guard !rendered.message.text.isEmpty else {
            return IntakeReply(status: 400, message: "the alert has no text to send", alerts: alerts)
        }
        let candidate = AlertCandidate(notification: notification, rendered: rendered, recipients: route.numbers,
                                       dedupKey: notification.dedupKey)
        let admission: Admission
        do {
            admission = try snapshot.outbox.admit(candidate, lease: nil)
            health?.succeeded(.intake)
        } catch {
            health?.failed(.intake, error)
            return IntakeReply(status: error.isTransient ? 503 : 500, message: "not accepted: \(error)", alerts: alerts)
        }
        let decisions = admission.decisions.map { recipient, decision in
            let name = switch decision {
            case .send: "queued"
            case .duplicate: "duplicate"
            case .held: "held"
            case .stale: "stale"
            case .ackedByReply: "acked_by_reply"
            }
            return IntakeReply.Decision(to: recipient.e164, decision: name, detail: OutcomeText.detail(decision))
        }
        var reply = IntakeReply(status: 200, message: "accepted", decisions: decisions, alerts: alerts, skipped: route.skipped)
        reply.escalation = admission.escalation?.kind
        return reply
    }

    /// A `duplicate` decision, naming the delivery it repeats.
    static func duplicate(to recipient: PhoneNumber, of earlier: DeliveryRecord) -> IntakeReply.Decision {
        IntakeReply.Decision(to: recipient.e164, decision: "duplicate", detail: OutcomeText.detail(.duplicate(of: earlier)))
    }

    /// Why a body did not decode, as a 400 says it: the decoders speak of the command line's
    /// standard input, where `serve` has a request body.
    static func describe(_ error: DecodeError) -> String {
        error.description.replacing("standard input", with: "the request body")
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
