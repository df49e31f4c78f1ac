import AlertModel
import NotifyState
import SMSPartner
import SMSText

/// Admitting an alert: the decision for each recipient, committed with what this process
/// claims to send now.
extension Outbox {
    /// Decides and commits what happens to `candidate` for each of its recipients; claims
    /// for this process, until `lease` from now, the deliveries it must send. With no lease
    /// (`serve`), they are queued, due now, for whoever flushes (the server's worker).
    ///
    /// With two-way paging, a problem opens pages and starts its escalation policy (its first
    /// step queued, or claimed with the alert), a source's acknowledgement acknowledges the
    /// pages, and a recovery resolves them (``Escalator`` stops their escalation).
    public func admit(_ candidate: AlertCandidate, lease: Duration?) throws(StateError) -> Admission {
        // Never nil: the decision is always to admit `candidate`.
        try admit(lease: lease) { _, _ in candidate } ?? Admission()
    }

    /// Decides, in one write transaction, whether there is anything to admit (`decide`, given
    /// the transaction and the time: nil for nothing), and admits it there like
    /// ``admit(_:lease:)``: what `decide` records and the decisions it led to are committed
    /// together, so that of concurrent processes deciding about one thing exactly one admits
    /// it (`run`'s checks). Nil when `decide` found nothing to admit.
    public func admit(lease: Duration?, deciding decide: (any StateTransaction, Timestamp) throws(StateError) -> AlertCandidate?)
        throws(StateError) -> Admission?
    {
        let sendState: DeliveryState = lease == nil ? .pending : .sending
        let time = now()
        return try store.write { (tx) throws(StateError) -> Admission? in
            guard let candidate = try decide(tx, time) else { return nil }
            let notification = candidate.notification
            let subject = notification.subject(or: candidate.dedupKey)
            let status = notification.statusName
            var admission = Admission()
            // Two-way paging: a problem's SMS ends with the reply code of its pages; a
            // recovery resolves them.
            var text = candidate.rendered.message.text
            var page: NewPage?
            if twoWay.enabled, let subject {
                for closed in notification.resolvedSubjects where try !tx.openPages(about: closed).isEmpty {
                    _ = try tx.resolvePages(about: closed, at: time)
                    _ = try Escalator(outbox: self).resolved(closed, in: tx, at: time)
                }
                switch PageEffect(notification) {
                case .opens:
                    try closeEndedSilences(about: subject, in: tx, at: time)
                    var generator = SystemRandomNumberGenerator()
                    if let code = try PageCodes.code(for: candidate.recipients, subject: subject, in: tx, at: time, using: &generator) {
                        text += " ack:" + code
                        page = NewPage(recipient: "", code: code, subject: subject, source: notification.source.rawValue,
                                       target: AckTarget(notification)?.encoded, text: text, label: notification.digestLabel)
                    }
                case .closes:
                    _ = try tx.resolvePages(about: subject, at: time)
                    admission.escalation = try Escalator(outbox: self).resolved(subject, in: tx, at: time)
                case .acknowledges:
                    try acknowledgePages(about: subject, notification, in: tx, at: time)
                case .none:
                    break
                }
            }
            // Stored once the first recipient needs it: a duplicate points at its original's.
            var storedMessage: Int64?
            let tag = MessageTag.make(prefix: tagPrefix)
            func messageID() throws(StateError) -> Int64 {
                if let storedMessage { return storedMessage }
                let id = try tx.insert(NewMessage(
                    kind: .alert, text: text, source: notification.source.rawValue,
                    typeLabel: notification.typeLabel, label: notification.digestLabel, tag: tag,
                    rank: notification.digestRank, status: notification.digestStatus), at: time)
                storedMessage = id
                return id
            }
            // What a notification resolves is remembered before deciding: a later copy of its
            // FIRING is then stale.
            try tx.recordResolved(notification.alertInstances.resolved, at: time)
            // A source's ACKNOWLEDGEMENT is not texted back to whoever acknowledged by reply.
            let ackedByReply = try numbersThatAcknowledged(notification, subject: subject, in: tx)
            var (globalHour, globalDay) = try globalSendCounts(in: tx, at: time)
            let resolvedFiring = try self.resolvedFiring(notification, in: tx)
            for number in candidate.recipients {
                let recipient = number.e164
                var history = try self.history(
                    of: recipient, about: (notification, candidate.dedupKey), in: tx, at: time, globalLastHour: globalHour, globalLastDay: globalDay)
                history.resolvedFiring = resolvedFiring
                var decision = quietDecision(policy.decide(history, now: time), for: notification, history: history, to: recipient, at: time)
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
                if ackedByReply.contains(recipient) {
                    _ = try record(.duplicate, .ackedByReply, OutcomeText.ackedByReply)
                    admission.decisions.append((number, .ackedByReply))
                    continue
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
                var held = try freshHeldEntries(of: recipient, in: tx, at: time)
                // An urgent alert sent now supersedes what is held about its subject (a WARNING
                // before this CRITICAL): the digest must not tell an older state after it.
                var superseded: [HeldEntry] = []
                if case .send = decision, urgent, let subject {
                    superseded = held.filter { $0.subject == subject }
                    held.removeAll { $0.subject == subject }
                }
                held = digestible(held, for: recipient, at: time)
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
                    if var page {
                        page.recipient = recipient
                        _ = try tx.open(page, at: time)
                    }
                    if lease != nil {
                        admission.claims.append(ClaimedDelivery(
                            deliveryID: id, messageID: try messageID(), recipient: recipient,
                            text: text, createdAt: time, attempts: 0, tag: tag))
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
            // A live problem starts its escalation: not a copy that only repeats or is stale, nor
            // one held by quiet hours (nobody is paged for what quiet hours let wait).
            let live = admission.decisions.contains {
                switch $0.decision {
                case .send: true
                case .held(let reason, _): reason != .quietHours
                case .duplicate, .stale, .ackedByReply: false
                }
            }
            if let page, let subject, live, let policy = escalation.policy(named: candidate.escalation, receiver: notification.receiver),
               let started = try Escalator(outbox: self).start(
                policy, subject: subject, label: notification.digestLabel, source: page.source, target: page.target,
                text: candidate.rendered.message.text, decided: Set(admission.decisions.map(\.recipient.e164)), in: tx, at: time) {
                admission.escalation = started
                // `send` delivers the first step's SMS itself, with the alert's.
                if let lease {
                    for number in started.queued {
                        admission.earlier += try tx.claimEarlier(of: number.e164, before: Int64.max, owner: owner, leaseUntil: time + lease, at: time)
                    }
                }
            }
            admission.earlier.sort { $0.deliveryID < $1.deliveryID }
            return admission
        }
    }

    /// A problem notified again after the silence its acknowledgement made has ended: that
    /// acknowledgement is over, so its pages are resolved and the problem opens new ones (a new
    /// code, which can be acknowledged again, and a new escalation).
    func closeEndedSilences(about subject: String, in tx: any StateTransaction, at time: Timestamp) throws(StateError) {
        let pages = try tx.openPages(about: subject)
        guard !pages.isEmpty, pages.allSatisfy({ $0.ackedAt != nil }),
              pages.contains(where: { $0.silenceUntil.map { $0 <= time } == true }) else { return }
        // Its escalation stopped at the acknowledgement.
        _ = try tx.resolvePages(about: subject, at: time)
    }

    /// The numbers that acknowledged `notification`'s subject by SMS reply, when it is a Nagios
    /// or Icinga ACKNOWLEDGEMENT (two-way paging); empty otherwise.
    func numbersThatAcknowledged(_ notification: Notification, subject: String?, in reader: any StateReader) throws(StateError) -> Set<String> {
        guard twoWay.enabled, let subject, notification.source == .nagios || notification.source == .icinga,
              notification.alerts.first?.kind == .acknowledgement else { return [] }
        let pages = try reader.openPages(about: subject)
        var numbers = Set(pages.compactMap(\.ackedNumber))
        // Notified before the reply's acknowledgement was recorded here: its comment names the replier.
        if let comment = notification.alerts.first?.comment, let replier = ReplyHandler.replier(signing: comment),
           pages.contains(where: { $0.recipient == replier }) {
            numbers.insert(replier)
        }
        return numbers
    }

    /// A source's acknowledgement: the open pages of `subject` are acknowledged by its author
    /// (`jdoe via nagios`), else by the source (`nagios`).
    func acknowledgePages(about subject: String, _ notification: Notification, in tx: any StateTransaction, at time: Timestamp)
        throws(StateError)
    {
        let source = notification.source.rawValue
        let author = notification.alerts.first?.author.flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
        for page in try tx.openPages(about: subject) where page.ackedAt == nil {
            _ = try tx.acknowledgePage(page.id, by: author.map { "\($0) via \(source)" } ?? source, at: time)
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
        let subject = alert.flatMap { $0.notification.subject(or: $0.dedupKey) }
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

    /// Whether `recipient`'s digest of `held` may go now: not during the recipient's quiet hours
    /// (unless it holds an allowed severity), and its window has room, counting every SMS; for a
    /// digest that holds an urgent alert (a DOWN held in a storm of them), the urgent budget, as
    /// the alert itself would have.
    func digestMayGo(_ held: [HeldEntry], history: Policy.RecipientHistory, to recipient: String, in reader: any StateReader,
                     at time: Timestamp) throws(StateError) -> Bool {
        // During the recipient's quiet hours, only a digest holding an allowed severity goes.
        if let schedule = quietHours.schedule(for: recipient), schedule.isQuiet(at: time), !schedule.allowsDigest(of: held) {
            return false
        }
        var view = history
        view.urgent = held.contains(where: \.isUrgent)
        if view.urgent && !history.urgent {
            view.recentUrgentSends = try reader.limitedSends(to: recipient, since: time - policy.settings.longestWindow, urgentOnly: true)
        }
        return policy.blockingLimit(view, now: time) == nil
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

    /// `decision` once `recipient`'s quiet hours are applied (``QuietHoursSettings/apply(_:to:latestAboutSubject:recipient:at:)``).
    func quietDecision(_ decision: PolicyDecision, for notification: Notification, history: Policy.RecipientHistory,
                       to recipient: String, at time: Timestamp) -> PolicyDecision {
        quietHours.apply(decision, to: notification, latestAboutSubject: history.latestAboutSubject, recipient: recipient, at: time)
    }
}
