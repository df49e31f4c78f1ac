import NotifyCore
import NotifyState
import SMSPartner

/// What `send` and `run` do with an admitted alert, the same way: say each recipient's
/// decision, send what the recipients had queued from before, deliver the alert, take a few
/// queued deliveries along while SMSPartner answers, and name the failure the command ends
/// with (nil when everything went out).
///
/// `say` writes one line: `send`'s go to standard output, `run`'s to standard error (its
/// standard output is the command's).
struct AlertDispatch {
    var outbox: Outbox
    var sender: Delivery
    /// The run's whole time budget, and what is left of it.
    var budget: Duration
    var left: () -> Duration
    var lease: Duration
    var maxAge: Duration
    var say: (String) -> Void = { Console.line($0) }

    /// Delivers `admission` to `recipients` numbers; the failure to end with, if any.
    func deliver(_ admission: Admission, recipients: Int) throws -> CommandFailure? {
        for (recipient, decision) in admission.decisions {
            if let line = OutcomeText.line(decision, to: recipient) { say(line) }
        }
        deliverEarlier(admission.earlier)
        let results = try CommandSupport.stored { () throws(StateError) in
            try outbox.deliver(admission.claims, with: sender, within: left(), attemptEach: true)
        }
        for line in OutcomeText.lines(for: results, digests: admission.digests, maxAge: maxAge) {
            say(line)
        }
        // SMSPartner just worked: take a few queued deliveries along, within what is left.
        if !results.isEmpty, !results.contains(where: { $0.outcome != .expired && $0.receipt == nil }), left() > .seconds(2) {
            try takeQueuedAlong(within: min(left() - .seconds(1), .seconds(10)))
        }
        let own = results.filter { admission.digests[$0.claim.deliveryID] == nil }
        return SendInvocation.failure(of: own, recipients: recipients, budget: budget)
    }

    /// What the recipients had queued goes first, in the order it happened, with one
    /// attempt's time at most: the new page must not wait behind a provider still failing.
    func deliverEarlier(_ earlier: [ClaimedDelivery]) {
        guard !earlier.isEmpty else { return }
        let share = min(left() / 4, sender.policy.attemptTimeout)
        do {
            let results = try outbox.deliver(earlier, with: sender, within: max(share, .zero), waitForLookup: false)
            for line in OutcomeText.lines(for: results, digests: [:], maxAge: maxAge) {
                say("earlier: \(line)")
            }
        } catch {
            // The page itself is committed and claimed: it still goes. What the earlier ones
            // came to is found again when their lease runs out (asked by tag).
            say("earlier: not recorded: \(error)")
        }
    }

    /// Up to 10 due deliveries from the outbox, sent while SMSPartner answers.
    func takeQueuedAlong(within time: Duration) throws {
        let flushed = try CommandSupport.stored { () throws(StateError) in
            try outbox.flush(limit: 10, sender: sender, within: time, lease: lease)
        }
        let sent = flushed.results.filter { $0.receipt != nil }.count
        if sent > 0 || flushed.digests > 0 {
            say("flushed: \(sent) queued SMS sent, \(flushed.digests) digest(s) queued, \(flushed.remaining) still queued")
        }
    }
}
