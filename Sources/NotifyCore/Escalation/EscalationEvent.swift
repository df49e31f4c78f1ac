import NotifyState
import SMSText

/// One turn of an escalation, committed with its SMS.
public struct EscalationEvent: Sendable {
    /// What happened (the values of the `event` label of `smspartner_escalations_total`).
    public enum Kind: String, Sendable, CaseIterable {
        /// An alert opened pages and its policy started; its first step was paged.
        case started
        /// A later step (or a repeated round's step) was paged.
        case step
        /// A page was acknowledged: stopped, everyone paged was told.
        case acked
        /// Every page was resolved: stopped, the numbers only the escalation paged were told.
        case resolved
        /// The last step fired with no repeat left: nothing more fires (it stays open).
        case exhausted
    }

    /// Why a step fired.
    public enum Cause: String, Sendable {
        /// Its time came.
        case due
        /// No number of the step before received the page (receipts `not_delivered`/`expired`,
        /// or refused).
        case undelivered = "not delivered"
    }

    public var kind: Kind
    public var subject: String
    public var label: String
    public var policy: String
    /// The step it is at, from 1.
    public var step: Int
    public var steps: Int
    /// The round, from 1.
    public var round: Int
    /// Why a step fired (``Kind/step``).
    public var cause: Cause?
    /// The SMS queued, if any (the first one, when its numbers' reply codes differ).
    public var text: String?
    /// One decision per number texted: queued, or a duplicate within `dedup_window`.
    public var decisions: [(recipient: PhoneNumber, decision: Admission.Decision)]

    public init(kind: Kind, escalation: Escalation, cause: Cause? = nil, text: String? = nil,
                decisions: [(recipient: PhoneNumber, decision: Admission.Decision)] = []) {
        self.kind = kind
        self.subject = escalation.subject
        self.label = escalation.label
        self.policy = escalation.policy
        self.step = escalation.step + 1
        self.steps = escalation.steps
        self.round = escalation.round + 1
        self.cause = cause
        self.text = text
        self.decisions = decisions
    }

    /// The numbers it queued an SMS for.
    public var queued: [PhoneNumber] {
        decisions.compactMap { if case .send = $0.decision { $0.recipient } else { nil } }
    }
}
