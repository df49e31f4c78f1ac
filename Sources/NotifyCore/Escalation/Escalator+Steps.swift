import NotifyState
import SMSText

/// What the escalator writes: the start, each step, the stop.
extension Escalator {
    /// Starts the escalation of `subject` under `policy`, unless one is active or a page of it
    /// was acknowledged; pages the first step's numbers that have no open page of it. `text`:
    /// the alert's SMS without reply code. Nil when it did not start.
    ///
    /// `decided`: the numbers this admission decided for (sent, held, duplicate): the first
    /// step does not page them again past their rate limits.
    public func start(_ policy: EscalationPolicy, subject: String, label: String, source: String, target: String?, text: String,
                      decided: Set<String> = [], in tx: any StateTransaction, at time: Timestamp) throws(StateError) -> EscalationEvent? {
        guard let first = policy.steps.first, try tx.activeEscalation(about: subject) == nil,
              !(try tx.openPages(about: subject)).contains(where: { $0.ackedAt != nil })
        else { return nil }
        var escalation = Escalation(subject: subject, policy: policy.name, label: label, source: source, target: target, text: text,
                                    steps: policy.steps.count, startedAt: time, nextAt: nil)
        escalation.id = try tx.insert(escalation, at: time)
        var event = try page(first.to, for: &escalation, skipping: decided, in: tx, at: time)
        event.kind = .started
        schedule(&escalation, policy, at: time)
        try tx.update(escalation, at: time)
        return event
    }

    /// Stops the escalation of `subject`, resolved (a recovery, in the transaction that
    /// admits it: a new problem right after starts a new one); nil when none is active.
    public func resolved(_ subject: String, in tx: any StateTransaction, at time: Timestamp) throws(StateError) -> EscalationEvent? {
        guard var escalation = try tx.activeEscalation(about: subject) else { return nil }
        let event = try stop(&escalation, .resolved, by: nil, in: tx, at: time)
        try tx.update(escalation, at: time)
        return event
    }

    /// Fires the step after the current one (the first of a new round after the last); the
    /// step, and its exhaustion when nothing follows.
    func fireNext(_ escalation: inout Escalation, _ policy: EscalationPolicy, cause: EscalationEvent.Cause, in tx: any StateTransaction,
                  at time: Timestamp) throws(StateError) -> [EscalationEvent] {
        if escalation.step + 1 < policy.steps.count {
            escalation.step += 1
        } else if escalation.round < policy.repeat {
            escalation.step = 0
            escalation.round += 1
            escalation.roundStartedAt = time
        } else {
            // Nothing follows (its policy lost steps since it started): exhausted.
            escalation.nextAt = nil
            escalation.exhaustedAt = escalation.exhaustedAt ?? time
            return [EscalationEvent(kind: .exhausted, escalation: escalation)]
        }
        escalation.firedAt = time
        var events = [try page(policy.steps[escalation.step].to, for: &escalation, in: tx, at: time)]
        events[0].cause = cause
        schedule(&escalation, policy, at: time)
        if escalation.exhaustedAt != nil { events.append(EscalationEvent(kind: .exhausted, escalation: escalation)) }
        return events
    }

    /// When the step after the current one fires; exhausted when none does.
    func schedule(_ escalation: inout Escalation, _ policy: EscalationPolicy, at time: Timestamp) {
        if escalation.step + 1 < policy.steps.count {
            escalation.nextAt = policy.time(of: escalation.step + 1, roundStartedAt: escalation.roundStartedAt)
        } else if escalation.round < policy.repeat {
            escalation.nextAt = escalation.firedAt + policy.repeatAfter
        } else {
            escalation.nextAt = nil
            escalation.exhaustedAt = time
        }
    }

    /// Queues the page to `numbers` (in the first round, those without an open page of the
    /// subject), with their reply code, and opens their pages.
    func page(_ numbers: [PhoneNumber], for escalation: inout Escalation, skipping decided: Set<String> = [], in tx: any StateTransaction,
              at time: Timestamp) throws(StateError) -> EscalationEvent
    {
        let paged = Set(try tx.openPages(about: escalation.subject).map(\.recipient)).union(decided)
        var targets: [PhoneNumber] = []
        for number in numbers where !targets.contains(where: { $0.e164 == number.e164 }) {
            if escalation.round == 0 && paged.contains(number.e164) { continue }
            targets.append(number)
        }
        guard !targets.isEmpty else { return EscalationEvent(kind: .step, escalation: escalation) }
        // Each number keeps the code of its open page (a repeat round), else gets one free for
        // it; one SMS per code.
        var generator = SystemRandomNumberGenerator()
        var groups: [(code: String?, numbers: [PhoneNumber])] = []
        for number in targets {
            let code = try PageCodes.code(for: [number], subject: escalation.subject, in: tx, at: time, using: &generator)
            if let index = groups.firstIndex(where: { $0.code == code }) {
                groups[index].numbers.append(number)
            } else {
                groups.append((code, [number]))
            }
        }
        var decisions: [(recipient: PhoneNumber, decision: Admission.Decision)] = []
        var texts: [String] = []
        for (code, numbers) in groups {
            let text = code.map { escalation.text + " ack:" + $0 } ?? escalation.text
            texts.append(text)
            let message = Outbox.DirectMessage(
                kind: .escalation, text: text, source: "escalation", typeLabel: "ESCALATION", label: escalation.label,
                dedupKey: Self.stepSubject(escalation.subject), status: "step \(escalation.step + 1) round \(escalation.round + 1) #\(escalation.id)",
                subject: Self.stepSubject(escalation.subject),
                detail: "escalation \(escalation.policy): step \(escalation.step + 1)/\(escalation.steps)")
            for (number, decision) in try outbox.queue(message, to: numbers, in: tx, at: time) {
                decisions.append((number, decision))
                guard case .send = decision else { continue }
                if let code {
                    _ = try tx.open(NewPage(recipient: number.e164, code: code, subject: escalation.subject, source: escalation.source,
                                            target: escalation.target, text: text, label: escalation.label), at: time)
                }
                if !paged.contains(number.e164) && !escalation.paged.contains(number.e164) { escalation.paged.append(number.e164) }
            }
        }
        return EscalationEvent(kind: .step, escalation: escalation, text: texts.first, decisions: decisions)
    }

    /// Stops `escalation` and queues its notice: acknowledged, to everyone with a page of it
    /// but the one who acknowledged it by reply;
    /// resolved, to the numbers only its steps paged.
    func stop(_ escalation: inout Escalation, _ reason: Escalation.StopReason, by author: String?, in tx: any StateTransaction,
              at time: Timestamp) throws(StateError) -> EscalationEvent {
        escalation.stoppedAt = time
        escalation.stopReason = reason
        escalation.nextAt = nil
        let text: String
        var numbers: [String]
        switch reason {
        case .acked:
            text = EscalationText.acked(label: escalation.label, by: author ?? "?")
            // Whoever acknowledged by reply has had their answer (`ACK OK …`).
            numbers = try tx.openPages(about: escalation.subject).filter { $0.recipient != $0.ackedNumber }.map(\.recipient)
        case .resolved:
            text = EscalationText.resolved(label: escalation.label)
            numbers = escalation.paged
        }
        let message = Outbox.DirectMessage(
            kind: .escalation, text: text, source: "escalation", typeLabel: reason == .acked ? "ACKED" : "RESOLVED", label: escalation.label,
            dedupKey: "\(reason.rawValue):\(escalation.subject)", status: reason.rawValue,
            detail: "escalation \(escalation.policy) stopped: \(reason.rawValue)")
        let decisions = try outbox.queue(message, to: numbers.compactMap { try? PhoneNumber(parsing: $0) }, in: tx, at: time)
        return EscalationEvent(kind: reason == .acked ? .acked : .resolved, escalation: escalation, text: text, decisions: decisions)
    }
}
