import SMSText

/// One step of an escalation policy: who is paged, and how long after the round's first
/// page (the alert's first page, in the first round).
public struct EscalationStep: Sendable, Equatable {
    /// From the round's first page; zero for the first step (paged at once).
    public var after: Duration
    /// Who is paged.
    public var to: [PhoneNumber]

    public init(after: Duration = .zero, to: [PhoneNumber]) {
        self.after = after
        self.to = to
    }
}
