import AlertModel
import NotifyState
import SMSPartner
import SMSText

/// The policy and outbox steps on the shared store: every decision and every SMS is
/// committed before a request leaves, and every outcome after.
///
/// - ``admit(_:lease:)`` decides for each recipient (duplicate, held, send), in one write
///   transaction that also queues the recipient's digest when its window has reopened, and
///   claims what this process sends now;
/// - ``deliver(_:with:within:)`` sends claimed deliveries and records each outcome: sent,
///   refused for good, or queued again with backoff for a transient failure;
/// - ``flush(limit:sender:within:lease:)`` expires what outlived `max_age`, takes back what
///   a dead sender left, queues due digests and delivers what is due.
///
/// Every message has an SMSPartner tag of its own (``MessageTag``), sent with each request for
/// it. A request that was sent but never answered (a timeout or a reset after sending), or a
/// claim whose sender died (its lease ran out), is ``DeliveryState/unknown``: SMSPartner is
/// asked by that tag before anything is sent again, and what it took is recorded as sent.
/// The window left for a duplicate: SMSPartner taking a request, or showing it under its tag,
/// later than ``RetryPolicy/lookupDelay`` after it was sent (or than the lease, for a sender
/// that died).
public struct Outbox: Sendable {
    public var store: any StateStore
    public var policy: Policy
    public var digests: DigestComposer
    /// Names this process in the claims it takes (`host:pid`).
    public var owner: String
    /// The configured SMSPartner tag, the prefix of each message's own (``MessageTag``).
    public var tagPrefix: String?
    /// The wall clock (tests replace it).
    public var now: @Sendable () -> Timestamp

    /// How many of an old lease's deliveries one flush run takes at most.
    public static let defaultFlushLimit = 500

    public init(store: any StateStore, policy: Policy, digests: DigestComposer, owner: String, tagPrefix: String? = nil,
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.store = store
        self.tagPrefix = tagPrefix
        self.policy = policy
        self.digests = digests
        self.owner = owner
        self.now = now
    }

    // MARK: - Admit

    /// Decides and commits what happens to `candidate` for each of its recipients; claims
    /// for this process, until `lease` from now, the deliveries it must send. With no lease
    /// (`serve`), they are queued, due now, for whoever flushes (the server's worker).
    public func admit(_ candidate: AlertCandidate, lease: Duration?) throws(StateError) -> Admission {
        let sendState: DeliveryState = lease == nil ? .pending : .sending
        let time = now()
        let notification = candidate.notification
        let subject = notification.subject ?? candidate.dedupKey
        let status = notification.statusName
        return try store.write { (tx) throws(StateError) -> Admission in
            var admission = Admission()
            // Stored once the first recipient needs it: a duplicate points at its original's.
            var storedMessage: Int64?
            let tag = MessageTag.make(prefix: tagPrefix)
            func messageID() throws(StateError) -> Int64 {
                if let storedMessage { return storedMessage }
                let id = try tx.insert(NewMessage(
                    kind: .alert, text: candidate.rendered.message.text, source: notification.source.rawValue,
                    typeLabel: notification.typeLabel, label: notification.digestLabel, tag: tag,
                    rank: notification.digestRank, status: notification.digestStatus), at: time)
                storedMessage = id
                return id
            }
            // What a notification resolves is remembered before deciding: a later copy of its
            // FIRING is then stale.
            try tx.recordResolved(notification.alertInstances.resolved, at: time)
            var (globalHour, globalDay) = try globalSendCounts(in: tx, at: time)
            let resolvedFiring = try self.resolvedFiring(notification, in: tx)
            for number in candidate.recipients {
                let recipient = number.e164
                var history = try self.history(
                    of: recipient, about: (notification, candidate.dedupKey), in: tx, at: time, globalLastHour: globalHour, globalLastDay: globalDay)
                history.resolvedFiring = resolvedFiring
                var decision = policy.decide(history, now: time)
                let urgent = history.urgent
                func record(_ state: DeliveryState, _ reason: DecisionReason?, _ detail: String?) throws(StateError) -> Int64 {
                    var delivery = NewDelivery(messageID: try messageID(), recipient: recipient, state: state, reason: reason,
                                               detail: detail, dedupKey: candidate.dedupKey, status: status, subject: subject,
                                               urgent: urgent)
                    if state == .sending, let lease {
                        delivery.leaseOwner = owner
                        delivery.leaseUntil = time + lease
                    }
                    return try tx.insert(delivery, at: time)
                }
                switch decision {
                case .duplicate(let earlier):
                    let duplicate = DuplicateDecision(recipient: number, earlier: earlier, dedupKey: candidate.dedupKey,
                                                      status: status, subject: subject, decidedAt: time)
                    _ = try tx.insert(duplicate.delivery, at: time)
                    admission.decisions.append((number, .duplicate(of: earlier)))
                case .hold(let reason, let detail):
                    _ = try record(.held, reason, detail)
                    admission.decisions.append((number, .held(reason, detail: detail)))
                case .stale(let detail):
                    _ = try record(.duplicate, .stale, detail)
                    admission.decisions.append((number, .stale))
                case .send:
                    break
                }
                var held = try tx.heldEntries(of: recipient)
                // An urgent alert sent now supersedes what is held about its subject (a WARNING
                // before this CRITICAL): the digest must not tell an older state after it.
                var superseded: [HeldEntry] = []
                if case .send = decision, urgent, let subject {
                    superseded = held.filter { $0.subject == subject }
                    held.removeAll { $0.subject == subject }
                }
                var claimed = false
                // The recipient's digest goes first when its window has reopened: it is the
                // older news, and it may take the last slot.
                if !held.isEmpty, try digestMayGo(held, history: history, to: recipient, in: tx, at: time) {
                    let claim = try queueDigest(held, for: recipient, in: tx, at: time, claimUntil: lease.map { time + $0 })
                    if lease != nil {
                        admission.claims.append(claim)
                        claimed = true
                    }
                    admission.digests[claim.deliveryID] = held.count
                    history = history.adding(sendAt: time, urgent: held.contains(where: \.isUrgent))
                    globalHour += 1
                    globalDay += 1
                    if case .send = decision, let (reason, detail) = policy.blockingLimit(history, now: time) {
                        decision = .hold(reason, detail: detail)
                        superseded = []
                        _ = try record(.held, reason, detail)
                        admission.decisions.append((number, .held(reason, detail: detail)))
                    }
                }
                if case .send = decision {
                    let id = try record(sendState, nil, nil)
                    try tx.markDigested(superseded.map(\.deliveryID), into: id, at: time)
                    if lease != nil {
                        admission.claims.append(ClaimedDelivery(
                            deliveryID: id, messageID: try messageID(), recipient: recipient,
                            text: candidate.rendered.message.text, createdAt: time, attempts: 0, tag: tag))
                        claimed = true
                    }
                    admission.decisions.append((number, .send(deliveryID: id)))
                    globalHour += 1
                    globalDay += 1
                }
                // What this recipient still has queued from before goes first, in event order.
                if claimed, let lease {
                    admission.earlier += try tx.claimEarlier(of: recipient, before: Int64.max, owner: owner, leaseUntil: time + lease, at: time)
                }
            }
            admission.earlier.sort { $0.deliveryID < $1.deliveryID }
            return admission
        }
    }

    /// When every recipient of `candidate` would get a duplicate, those decisions, found by a
    /// read that takes no write lock; nil when any recipient needs ``admit(_:lease:)``.
    ///
    /// `serve` answers a repeated webhook (an Alertmanager retry, the second of an HA pair)
    /// from this and records the decisions later, in batches (``recordDuplicates(_:)``): the
    /// original is committed already, so the reply need not wait for a write. A read sees one
    /// consistent state of the store, so the decision is the one ``admit(_:lease:)`` would have
    /// taken at that moment.
    ///
    /// It needs no rendered text: a repeat is answered before it is rendered.
    public func duplicates(of notification: Notification, to recipients: [PhoneNumber], dedupKey: String?)
        throws(StateError) -> [DuplicateDecision]?
    {
        guard dedupKey != nil else { return nil }
        let time = now()
        var found: [DuplicateDecision] = []
        for (recipient, decision) in try preview(notification, to: recipients, dedupKey: dedupKey) {
            guard case .duplicate(let earlier) = decision else { return nil }
            found.append(DuplicateDecision(
                recipient: recipient, earlier: earlier, dedupKey: dedupKey, status: notification.statusName,
                subject: notification.subject ?? dedupKey, decidedAt: time))
        }
        return found.isEmpty ? nil : found
    }

    /// Records duplicates decided by ``duplicates(of:to:dedupKey:)``, in one write transaction.
    public func recordDuplicates(_ decisions: [DuplicateDecision]) throws(StateError) {
        guard !decisions.isEmpty else { return }
        try store.write { (tx) throws(StateError) in
            for decision in decisions {
                _ = try tx.insert(decision.delivery, at: decision.decidedAt)
            }
        }
    }

    /// What was sent to anyone over the last hour and day, for `hourly_cap` and `daily_cap`
    /// (not counted when neither is set).
    func globalSendCounts(in reader: any StateReader, at time: Timestamp) throws(StateError) -> (hour: Int, day: Int) {
        guard policy.settings.hourlyCap != nil || policy.settings.dailyCap != nil else { return (0, 0) }
        let counts = try reader.limitedSendCounts(since: [time - .seconds(3600), time - .seconds(86_400)])
        return (counts[0], counts[1])
    }

    /// How many firing alert instances `candidate` reports, when every one of them was
    /// resolved already (an Alertmanager copy overtaken by its resolution); else nil.
    func resolvedFiring(_ notification: Notification, in reader: any StateReader) throws(StateError) -> Int? {
        let firing = notification.alertInstances.firing
        guard notification.truncatedAlerts == 0, !firing.isEmpty else { return nil }
        let count = Set(firing).count
        return try reader.resolvedInstances(among: firing).count == count ? count : nil
    }

    /// What the policy needs to know about `recipient` (and `candidate`, when there is one).
    /// With `alert`, also what repeats or follows it (`dedupKey`: see ``AlertCandidate/dedupKey``).
    func history(of recipient: String, about alert: (notification: Notification, dedupKey: String?)?, in reader: any StateReader,
                 at time: Timestamp, globalLastHour: Int, globalLastDay: Int) throws(StateError) -> Policy.RecipientHistory {
        let settings = policy.settings
        let subject = alert.flatMap { $0.notification.subject ?? $0.dedupKey }
        var history = Policy.RecipientHistory(
            recentSends: try reader.limitedSends(to: recipient, since: time - settings.longestWindow),
            globalLastHour: globalLastHour, globalLastDay: globalLastDay,
            duplicate: try alert?.dedupKey.flatMap { (key) throws(StateError) in
                try reader.duplicateOf(recipient: recipient, dedupKey: key, status: alert?.notification.statusName,
                                       subject: subject, since: time - settings.dedupWindow)
            },
            latestAboutSubject: try subject.flatMap { (subject) throws(StateError) in
                try reader.latestDecision(recipient: recipient, subject: subject)
            })
        // A change to the worst state is urgent; the same status again (a re-notification
        // past the dedup window) is not: it would spend the urgent budget on old news.
        if let notification = alert?.notification, notification.isUrgent,
           history.latestAboutSubject?.status != notification.statusName || history.latestAboutSubject?.status == nil {
            history.urgent = true
            history.recentUrgentSends = try reader.limitedSends(to: recipient, since: time - settings.longestWindow, urgentOnly: true)
        }
        return history
    }

    /// Whether `recipient`'s digest of `held` may go now: its window has room, counting every
    /// SMS; for a digest that holds an urgent alert (a DOWN held in a storm of them), the
    /// urgent budget, as the alert itself would have.
    func digestMayGo(_ held: [HeldEntry], history: Policy.RecipientHistory, to recipient: String, in reader: any StateReader,
                     at time: Timestamp) throws(StateError) -> Bool {
        var view = history
        view.urgent = held.contains(where: \.isUrgent)
        if view.urgent && !history.urgent {
            view.recentUrgentSends = try reader.limitedSends(to: recipient, since: time - policy.settings.longestWindow, urgentOnly: true)
        }
        return policy.blockingLimit(view, now: time) == nil
    }

    /// What ``admit(_:lease:)`` would decide now for each recipient, read without taking the
    /// write lock and without recording anything (`send --dry-run`).
    public func preview(_ candidate: AlertCandidate) throws(StateError) -> [(recipient: PhoneNumber, decision: PolicyDecision)] {
        try preview(candidate.notification, to: candidate.recipients, dedupKey: candidate.dedupKey)
    }

    /// ``preview(_:)`` of a notification not rendered (the decisions do not depend on the text).
    public func preview(_ notification: Notification, to recipients: [PhoneNumber], dedupKey: String?)
        throws(StateError) -> [(recipient: PhoneNumber, decision: PolicyDecision)]
    {
        let time = now()
        return try store.read { (reader) throws(StateError) in
            let (hour, day) = try globalSendCounts(in: reader, at: time)
            let resolvedFiring = try self.resolvedFiring(notification, in: reader)
            return try recipients.map { (number) throws(StateError) in
                var history = try self.history(of: number.e164, about: (notification, dedupKey), in: reader, at: time,
                                               globalLastHour: hour, globalLastDay: day)
                history.resolvedFiring = resolvedFiring
                return (number, policy.decide(history, now: time))
            }
        }
    }

    /// Queues the digest of `held` for `recipient`: claimed by this process until
    /// `claimUntil`, or pending (due now) when nil.
    func queueDigest(_ held: [HeldEntry], for recipient: String, in tx: any StateTransaction, at time: Timestamp,
                     claimUntil: Timestamp?) throws(StateError) -> ClaimedDelivery {
        let text = digests.compose(held).message.text
        let tag = MessageTag.make(prefix: tagPrefix)
        let messageID = try tx.insert(NewMessage(kind: .digest, text: text, source: "digest", typeLabel: "DIGEST",
                                                 label: "digest of \(held.count)", tag: tag), at: time)
        let id = try tx.insert(NewDelivery(
            messageID: messageID, recipient: recipient, state: claimUntil == nil ? .pending : .sending,
            detail: "digest of \(held.count) held", subject: "digest", leaseOwner: owner, leaseUntil: claimUntil,
            urgent: held.contains(where: \.isUrgent)), at: time)
        try tx.markDigested(held.map(\.deliveryID), into: id, at: time)
        return ClaimedDelivery(deliveryID: id, messageID: messageID, recipient: recipient, text: text, createdAt: time, attempts: 0, tag: tag)
    }

    // MARK: - Deliver

    /// Sends `claims` (grouped into one request per text), within `budget`, and records each
    /// outcome. A claim older than `max_age` is expired instead of sent. Claims whose outcome
    /// is unknown are asked about (by tag) before they are sent again.
    ///
    /// `waitForLookup`: when a request goes unanswered, wait within the budget until SMSPartner
    /// can be asked about it (a one-shot `send`, which would rather exit knowing); false
    /// records it as unknown at once, for a later flush to ask.
    ///
    /// A message after the first is not started with less than an attempt's minimum left (it
    /// stays queued, due now; what may have been sent stays unknown), unless `attemptEach`
    /// (a `send`'s own alert: it gets its attempt whatever went before it).
    public func deliver(_ claims: [ClaimedDelivery], with sender: MessageSender, within budget: Duration,
                        waitForLookup: Bool = true, attemptEach: Bool = false) throws(StateError) -> [DeliveryResult] {
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var results: [DeliveryResult] = []
        var groups: [(messageID: Int64, claims: [ClaimedDelivery])] = []
        for claim in claims {
            if let index = groups.firstIndex(where: { $0.messageID == claim.messageID }) {
                groups[index].claims.append(claim)
            } else {
                groups.append((claim.messageID, [claim]))
            }
        }
        for (index, group) in groups.enumerated() {
            let time = now()
            var outcomes: [DeliveryResult] = []
            if index > 0, !attemptEach, deadline - clock.now < sender.delivery.policy.minimumAttempt {
                let late = SMSPartnerError.transport(.timedOut("the time budget ran out before this request was made"))
                for claim in group.claims {
                    let batch = DeliveryReport.Batch(phoneNumbers: [], attempts: 0, outcome: .failure(late),
                                                     unknown: claim.outcomeUnknown ? .notAsked(after: .zero) : nil)
                    outcomes.append(Self.result(of: batch, for: claim, at: time, retryDelay: policy.settings.retryDelay))
                }
                try record(outcomes)
                results += outcomes
                continue
            }
            var sendable: [(claim: ClaimedDelivery, number: PhoneNumber)] = []
            for claim in group.claims {
                if time - claim.createdAt > policy.settings.maxAge {
                    outcomes.append(DeliveryResult(claim: claim, outcome: .expired))
                } else if let number = try? PhoneNumber(parsing: claim.recipient) {
                    sendable.append((claim, number))
                } else {
                    outcomes.append(DeliveryResult(claim: claim, outcome: .failed(errorClass: FailureClass.rejected.rawValue, error: "stored number \(claim.recipient) is not valid")))
                }
            }
            // Those that may have reached SMSPartner already are asked about first, in a request
            // of their own; the others are simply sent.
            for inDoubt in [true, false] {
                let members = sendable.filter { $0.claim.outcomeUnknown == inDoubt }
                guard let first = members.first?.claim else { continue }
                let left = deadline - clock.now
                let request = sender.request(stamped(first.text, decidedAt: first.createdAt, sentAt: time),
                                             to: members.map(\.number), messageTag: first.tag)
                // Unanswerable for half its life: sent again rather than lost at max_age.
                let oldest = members.map(\.claim.createdAt).min() ?? time
                let lookup = LookupOptions(tag: first.tag, askFirst: inDoubt, wait: waitForLookup,
                                           sendIfAskingFails: time - oldest >= policy.settings.maxAge / 2)
                let report = sender.delivery.deliver(request, within: max(left, .zero), lookup: lookup)
                let after = now()
                for batch in report.batches {
                    let numbers = Set(batch.phoneNumbers.map(\.e164))
                    for (claim, number) in members where numbers.contains(number.e164) {
                        outcomes.append(Self.result(of: batch, for: claim, at: after, retryDelay: policy.settings.retryDelay))
                    }
                }
            }
            try record(outcomes)
            results += outcomes
        }
        return results
    }

    /// How late an SMS may leave before its text says when it happened.
    public static let lateAfter = Duration.seconds(60)

    /// `text`, or, when it leaves more than ``lateAfter`` after it was decided (it waited in the
    /// outbox), `[14:02] text`: the time it happened, cut to the SMS budget.
    func stamped(_ text: String, decidedAt decided: Timestamp, sentAt time: Timestamp) -> String {
        guard time - decided > Self.lateAfter else { return text }
        let prefix = "[\(decided.localTimeOfDay)] "
        return digests.renderer.budget.truncate(SMSMessage(prefix + text)).0.text
    }

    /// What `batch` came to for `claim`, to be recorded at `time`.
    static func result(of batch: DeliveryReport.Batch, for claim: ClaimedDelivery, at time: Timestamp, retryDelay: Duration) -> DeliveryResult {
        let retryAt = time + Self.retryDelay(afterAttempt: claim.attempts + 1, first: retryDelay)
        switch batch.outcome {
        case .success(let receipt) where receipt.confirmedByTag != nil:
            return DeliveryResult(claim: claim, outcome: .confirmed, receipt: receipt, attempts: batch.attempts)
        case .success(let receipt):
            return DeliveryResult(
                claim: claim,
                outcome: .sent(providerMessageID: receipt.messageID, nbSMS: receipt.nbSMS, cost: receipt.cost, currency: receipt.currency),
                receipt: receipt, attempts: batch.attempts)
        case .failure(let error):
            let outcome: DeliveryOutcome
            switch batch.unknown ?? (error.failureClass == .unknown ? .notAsked(after: .zero) : nil) {
            case .notAsked(let after)?:
                // Again and again unanswered: asked no more often than a retry would be made.
                let checkAt = claim.attempts == 0 ? time + after : max(time + after, retryAt)
                outcome = .unknown(error: "\(error); SMSPartner is asked (tag \(claim.tag ?? "none")) from \(checkAt.localTimeOfDay) before any resend",
                                   checkAt: checkAt)
            case .lookupFailed(let lookupError)?:
                outcome = .unknown(error: "\(error); asking SMSPartner (tag \(claim.tag ?? "none")) failed: \(lookupError); asked again from \(retryAt.localTimeOfDay)",
                                   checkAt: retryAt)
            case nil:
                let failureClass = error.failureClass
                outcome = failureClass.isRetryable
                    ? .retry(errorClass: failureClass.rawValue, error: error.description, retryAt: retryAt)
                    : .failed(errorClass: failureClass.rawValue, error: error.description)
            }
            return DeliveryResult(claim: claim, outcome: outcome, error: error, attempts: batch.attempts)
        }
    }

    /// Commits outcomes, one write for all; the same outcome of one request shares its
    /// nb_sms and cost between the request's recipients.
    func record(_ results: [DeliveryResult]) throws(StateError) {
        guard !results.isEmpty else { return }
        let time = now()
        try store.write { (tx) throws(StateError) in
            var done = Set<Int64>()
            for result in results where !done.contains(result.claim.deliveryID) {
                let same = results.filter { $0.outcome == result.outcome && $0.receipt == result.receipt }
                let ids = same.map(\.claim.deliveryID)
                try tx.record(result.outcome, for: ids, owner: owner, at: time)
                done.formUnion(ids)
            }
        }
    }

    /// When a queued delivery is tried again after its `attempt`-th failure: `first` (the
    /// configuration's `retry_delay`, 30 s by default) doubling to 20 times that (10 min), with
    /// up to 20% of jitter so a backlog does not retry in lockstep.
    public static func retryDelay(afterAttempt attempt: Int, first: Duration = .seconds(30), random: Double = Double.random(in: 0...1)) -> Duration {
        Backoff(first: first, cap: first * 20, fixed: 1, jitter: 0.2).delay(afterAttempt: attempt, random: random)
    }

    // MARK: - Flush

    /// Delivers what is due, until nothing is, `limit` deliveries were tried, `budget` is
    /// spent, or a transient failure says SMSPartner is still unavailable.
    public func flush(limit: Int = Outbox.defaultFlushLimit, sender: MessageSender, within budget: Duration, lease: Duration) throws(StateError) -> FlushReport {
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var report = FlushReport()
        while report.results.count < limit, deadline - clock.now > sender.delivery.policy.minimumAttempt {
            let time = now()
            let step = try store.write { (tx) throws(StateError) -> (claims: [ClaimedDelivery], expired: Int, released: Int, digests: Int) in
                let released = try tx.releaseExpiredLeases(at: time)
                let expired = try tx.expireQueued(decidedBefore: time - policy.settings.maxAge, at: time)
                let digests = try queueDueDigests(in: tx, at: time)
                try pruneIfDue(in: tx, at: time)
                let claims = try tx.claimDue(limit: min(limit - report.results.count, SMSPartnerClient.maxNumbersPerRequest),
                                             owner: owner, leaseUntil: time + lease, at: time)
                return (claims, expired, released, digests)
            }
            report.expired += step.expired
            report.released += step.released
            report.digests += step.digests
            guard !step.claims.isEmpty else { break }
            let results = try deliver(step.claims, with: sender, within: deadline - clock.now, waitForLookup: false)
            report.results += results
            if results.contains(where: \.isQueued) { break }
        }
        report.remaining = try store.read { (reader) throws(StateError) in
            try reader.statusSnapshot(now: now(), windows: [], latest: 0).queued
        }
        return report
    }

    /// Queues (pending, due now) the digest of every recipient whose held alerts may go out.
    func queueDueDigests(in tx: any StateTransaction, at time: Timestamp) throws(StateError) -> Int {
        var queued = 0
        var (globalHour, globalDay) = try globalSendCounts(in: tx, at: time)
        for recipient in try tx.recipientsWithHeldEntries() {
            let history = try self.history(of: recipient, about: nil, in: tx, at: time, globalLastHour: globalHour, globalLastDay: globalDay)
            let held = try tx.heldEntries(of: recipient)
            guard !held.isEmpty, try digestMayGo(held, history: history, to: recipient, in: tx, at: time) else { continue }
            _ = try queueDigest(held, for: recipient, in: tx, at: time, claimUntil: nil)
            queued += 1
            globalHour += 1
            globalDay += 1
        }
        return queued
    }

    /// How long finished deliveries are kept (for dedup, limits and `status`).
    public static let retention = Duration.seconds(7 * 86_400)
    static let pruneInterval = Duration.seconds(3600)

    /// Prunes old rows at most once an hour.
    func pruneIfDue(in tx: any StateTransaction, at time: Timestamp) throws(StateError) {
        let last = try tx.value("last_prune").flatMap(Int64.init).map(Timestamp.init(milliseconds:))
        if let last, time - last < Self.pruneInterval, last <= time { return }
        _ = try tx.prune(decidedBefore: time - Self.retention)
        try tx.setValue(String(time.milliseconds), for: "last_prune")
    }
}
