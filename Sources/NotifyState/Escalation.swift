/// The escalation of one alert (`escalation:` policies): who its policy pages next, and when,
/// while nobody acknowledges it and it stays open.
///
/// One row per subject being escalated; at most one is active (not stopped) per subject. It
/// is advanced in the same write transaction that queues a step's SMS, so a step never fires
/// twice, whatever restarts or runs concurrently.
public struct Escalation: Sendable, Equatable, Identifiable {
    /// Why an escalation stopped.
    public enum StopReason: String, Sendable, Codable {
        /// A page of its subject was acknowledged (a reply, or the source's acknowledgement).
        case acked
        /// Every page of its subject was resolved (a recovery).
        case resolved
    }

    public var id: Int64
    /// What the alert is about, as its pages record it.
    public var subject: String
    /// The policy's name in `escalation.policies`.
    public var policy: String
    /// How the notices name the alert (`web01/HTTP`).
    public var label: String
    /// Copied into the pages it opens.
    public var source: String
    public var target: String?
    /// The alert's SMS text without its reply code: each step adds the code of its numbers.
    public var text: String
    /// The index of the step fired last (0: the first step).
    public var step: Int
    /// How many steps its policy had when it started (what `status` shows as `step 2/3`).
    public var steps: Int
    /// How many rounds were completed and started again (`repeat`).
    public var round: Int
    /// When the current round's first step fired: the steps' `after` count from it.
    public var roundStartedAt: Timestamp
    public var startedAt: Timestamp
    /// When the step ``step`` fired.
    public var firedAt: Timestamp
    /// When the next step fires; nil once exhausted or stopped.
    public var nextAt: Timestamp?
    /// The numbers its steps paged that had no page of the subject before (they get no
    /// recovery from the source: the escalation texts them one).
    public var paged: [String]
    /// When its last step fired with no repeat left; it stays active until acked or resolved.
    public var exhaustedAt: Timestamp?
    public var stoppedAt: Timestamp?
    public var stopReason: StopReason?
    public var updatedAt: Timestamp

    public init(id: Int64 = 0, subject: String, policy: String, label: String, source: String, target: String?, text: String,
                step: Int = 0, steps: Int, round: Int = 0, startedAt: Timestamp, nextAt: Timestamp?, paged: [String] = []) {
        self.id = id
        self.subject = subject
        self.policy = policy
        self.label = label
        self.source = source
        self.target = target
        self.text = text
        self.step = step
        self.steps = steps
        self.round = round
        self.roundStartedAt = startedAt
        self.startedAt = startedAt
        self.firedAt = startedAt
        self.nextAt = nextAt
        self.paged = paged
        self.updatedAt = startedAt
    }

    /// Neither acknowledged nor resolved: its steps may still fire.
    public var isActive: Bool { stoppedAt == nil }
}
