import NotifyCore
import NotifyState
import SMSPartner

/// `send` when the state store cannot be used (it cannot be created, opened or written, it is
/// damaged, full, or locked by a hung process): a pager fails open. The SMS goes out without
/// deduplication or rate limits, and the exit status says so, for Nagios and Icinga to log:
///
/// - 73 sent (stdout has the `sent:` line, stderr one line naming the store's problem);
/// - 69 refused for good by SMSPartner, as with a store;
/// - 74 not sent and not kept: there is no outbox to keep it in, and SMSPartner did not take it
///   within the time budget (retries and, for a request that went unanswered, the lookup by its
///   tag, included).
extension SendInvocation {
    /// Delivers `candidate` within what is `left` of the run's `budget` (the one `--timeout`
    /// names, for the message), without a store; `say` writes its lines (`send`'s on stdout).
    static func sendWithoutState(_ candidate: AlertCandidate, because problem: StateError, sender: Delivery,
                                 within left: Duration, of budget: Duration, say: (String) -> Void = { Console.line($0) }) throws {
        let tag = MessageTag.make(prefix: sender.tag)
        let request = sender.request(candidate.rendered.message.text, to: candidate.recipients, messageTag: tag)
        let report = sender.deliver(request, within: left, lookup: LookupOptions(tag: tag))
        for receipt in report.receipts {
            say(OutcomeText.sent(receipt))
        }
        let failures = report.failures
        for (numbers, error) in failures {
            let who = numbers.count == 1 ? numbers[0].e164 : "\(numbers.count) recipients"
            say("\(error.failureClass == .unknown ? "unknown" : "failed"): \(who): \(error)")
        }
        let state: String
        if case .busy(let path, let waited) = problem {
            state = "the state is unusable: the state database \(path) stayed locked by another process for \(waited.components.seconds) s (is one hung?)"
        } else {
            state = "the state is unusable: \(problem)"
        }
        guard let worst = report.worstFailure else {
            throw CommandFailure(.sentWithoutState, "sent without state, so without deduplication or rate limits: \(state)")
        }
        let total = candidate.recipients.count
        let unsent = failures.reduce(0) { $0 + $1.numbers.count }
        let scope = unsent == total ? "" : " to \(unsent) of \(total) recipients"
        if ExitStatus(worst: worst) == .unavailable || ExitStatus(worst: worst) == .configuration {
            throw CommandFailure(ExitStatus(worst: worst), "not sent\(scope): \(worst); \(state)")
        }
        let verb = worst.failureClass == .unknown ? "not confirmed" : "not sent"
        throw CommandFailure(.notKept, "\(verb)\(scope) within \(budget.components.seconds) s: \(worst); and not kept: \(state)")
    }
}
