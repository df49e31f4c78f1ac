import NotifyState
import SMSText

/// One turn of the dead man's switch of one cluster, committed with its SMS.
public struct DeadmanEvent: Sendable {
    /// What happened to the cluster.
    public enum Change: String, Sendable {
        /// Nothing came for `deadman.timeout`: its silence was texted.
        case silent
        /// A heartbeat came after a silence that was texted: its return was texted.
        case back
    }

    /// The cluster: its Alertmanager's `externalURL`.
    public var cluster: String
    public var change: Change
    /// The SMS text.
    public var text: String
    /// One decision per `deadman.to` number: queued for the worker, or a duplicate of an
    /// earlier identical SMS within `dedup_window`. Empty when nobody is configured.
    public var decisions: [(recipient: PhoneNumber, decision: Admission.Decision)]

    public init(cluster: String, change: Change, text: String, decisions: [(recipient: PhoneNumber, decision: Admission.Decision)]) {
        self.cluster = cluster
        self.change = change
        self.text = text
        self.decisions = decisions
    }

    /// Whether it queued an SMS for anyone.
    public var queued: Bool {
        decisions.contains { if case .send = $0.decision { true } else { false } }
    }
}
