import NotifyCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The answer to one webhook: an HTTP status and a small JSON body saying what happened.
public struct IntakeReply: Sendable, Equatable {
    /// One recipient's decision, as the JSON shows it.
    public struct Decision: Sendable, Equatable, Encodable {
        public var to: String
        /// `queued`, `duplicate`, `held` or `stale`.
        public var decision: String
        public var detail: String?
    }

    public var status: Int
    /// `accepted`, or what was wrong.
    public var message: String
    public var decisions: [Decision]
    /// Alerts in the payload.
    public var alerts: Int
    /// Numbers the payload named that were left out.
    public var skipped: [String]
    /// Of ``alerts``, the heartbeats (Alertmanager's Watchdog): recorded for the dead man's
    /// switch, never texted.
    public var heartbeats: Int
    /// How many clusters' heartbeats were left out: ``DeadmanSwitch/maxClusters`` are tracked.
    public var ignoredClusters: Int
    /// What the admission did to the alert's escalation, started or resolved by a recovery
    /// (counted, not part of the body).
    public var escalation: EscalationEvent.Kind?

    public init(status: Int, message: String, decisions: [Decision] = [], alerts: Int = 0, skipped: [String] = [],
                heartbeats: Int = 0, ignoredClusters: Int = 0) {
        self.status = status
        self.message = message
        self.decisions = decisions
        self.alerts = alerts
        self.skipped = skipped
        self.heartbeats = heartbeats
        self.ignoredClusters = ignoredClusters
    }

    /// A reply given instead of reading the request (as the failure of a `Result`).
    public struct Refusal: Error, Sendable {
        public var reply: IntakeReply

        public init(_ reply: IntakeReply) {
            self.reply = reply
        }
    }

    /// The JSON body.
    public var body: [UInt8] {
        struct Body: Encodable {
            var status: String
            var alerts: Int
            var decisions: [Decision]
            var skipped: [String]
            /// Only when the payload had heartbeats.
            var heartbeats: Int?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try? encoder.encode(Body(status: message, alerts: alerts, decisions: decisions, skipped: skipped,
                                                heartbeats: heartbeats > 0 ? heartbeats : nil))
        return data.map { Array($0) + [0x0A] } ?? Array("{}\n".utf8)
    }
}
