import NotifyState
import SMSPartner
import SMSText

/// Asks SMSPartner what became of the SMS it accepted, when each is due
/// (``ReceiptSettings/nextPoll(sentAt:polls:)``), and records the answers: `flush` and
/// `serve`'s worker run it after delivering.
///
/// Bounded: at most ``maxPerRun`` deliveries per run, asked about in `POST /multi-status`
/// requests of up to 500 (one `GET /message-status` each where that route is missing, and one
/// by tag for messages confirmed by their tag, no `message_id`: at most ``maxSingleQueries`` of
/// those per run). What a run had no time or requests left for is due again at once. A storm of 1,000 SMS costs two requests per look, and a look comes at the
/// steps of `poll_after`, then hourly, until a final report or 48 h.
///
/// A delivery claimed for a look is not looked at by another process for ``claimLease``; a
/// poller that fails or dies leaves it due again then.
public struct ReceiptPoller: Sendable {
    public var store: any StateStore
    public var settings: ReceiptSettings
    public var client: SMSPartnerClient
    public var now: @Sendable () -> Timestamp

    /// Deliveries looked at in one run at most.
    public static let maxPerRun = 2000
    /// `GET /message-status` requests in one run at most (where `multi-status` is missing).
    public static let maxSingleQueries = 50
    /// How long a claimed look keeps other pollers off.
    public static let claimLease = Duration.seconds(300)
    /// Longest wait for one status request.
    public static let requestTimeout = Duration.seconds(10)

    public init(store: any StateStore, settings: ReceiptSettings, client: SMSPartnerClient,
                now: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.store = store
        self.settings = settings
        self.client = client
        self.now = now
    }

    /// Looks at the deliveries whose receipt is due, within `budget`.
    public func poll(within budget: Duration, limit: Int = ReceiptPoller.maxPerRun) throws(StateError) -> ReceiptPollReport {
        var report = ReceiptPollReport()
        guard settings.isTracking else { return report }
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let time = now()
        let due = try store.write { (tx) throws(StateError) in
            try tx.claimDueReceipts(limit: min(limit, Self.maxPerRun), until: time + Self.claimLease, at: time)
        }
        guard !due.isEmpty else { return report }
        report.checked = due.count
        var answers: [Int64: ReportedDelivery] = [:]
        var asked = Set<Int64>()
        if !settings.pollAfter.isEmpty {
            asked = ask(about: due, into: &answers, report: &report, deadline: deadline, clock: clock)
        }
        let after = now()
        var updates: [ReceiptUpdate] = []
        for check in due {
            if let answer = answers[check.id] {
                updates.append(update(check, answer: answer, at: after))
            } else if asked.contains(check.id) || settings.pollAfter.isEmpty || after - check.sentAt >= ReceiptSettings.finalAfter {
                // Asked without an answer for it, never to be asked, or out of time: waiting.
                updates.append(update(check, answer: .waiting, at: after))
            } else if report.failure == nil {
                // Not asked in this run (its time or its request limit ran out first): due again
                // at once, without using up a step of its schedule.
                updates.append(ReceiptUpdate(id: check.id, state: .accepted, polled: false, nextCheckAt: after))
            }
            // Asking failed: left as claimed, due again when the claim runs out.
        }
        report.finals = try record(updates, pushed: false)
        return report
    }

    /// What one answer comes to for `check`.
    func update(_ check: ReceiptCheck, answer: ReportedDelivery, at time: Timestamp) -> ReceiptUpdate {
        switch answer {
        case .delivered:
            return ReceiptUpdate(id: check.id, state: .delivered, detail: "Delivered", polled: true)
        case .notDelivered(let reason):
            return ReceiptUpdate(id: check.id, state: .notDelivered, detail: reason, polled: true)
        case .waiting, .unrecognized:
            if time - check.sentAt >= ReceiptSettings.finalAfter {
                return ReceiptUpdate(id: check.id, state: .expired, detail: "no final report within 48 h", polled: true)
            }
            let next = max(settings.nextPoll(sentAt: check.sentAt, polls: check.polls + 1), time + .seconds(10))
            var detail: String?
            if case .unrecognized(let text) = answer { detail = text }
            return ReceiptUpdate(id: check.id, state: .accepted, detail: detail, polled: true, nextCheckAt: next)
        }
    }

    /// Records `updates` in one write; the deliveries whose receipt became final.
    func record(_ updates: [ReceiptUpdate], pushed: Bool) throws(StateError) -> [ReceiptFinal] {
        guard !updates.isEmpty else { return [] }
        let time = now()
        return try store.write { (tx) throws(StateError) in
            var finals: [ReceiptFinal] = []
            for update in updates {
                if let before = try tx.recordReceipt(update, at: time) {
                    finals.append(ReceiptFinal(check: before, state: update.state, detail: update.detail, at: time, pushed: pushed))
                }
            }
            return finals
        }
    }

    /// Asks SMSPartner about `due`: by message id, else by tag. Stops at the first failure of
    /// the API (a refusal about one message is that message's answer); the ids of the
    /// deliveries a request that succeeded asked about.
    func ask(about due: [ReceiptCheck], into answers: inout [Int64: ReportedDelivery], report: inout ReceiptPollReport,
             deadline: ContinuousClock.Instant, clock: ContinuousClock) -> Set<Int64> {
        var asked = Set<Int64>()
        func timeLeft() -> Duration? {
            let left = deadline - clock.now
            return left < .seconds(1) ? nil : min(left, Self.requestTimeout)
        }
        var byID: [(check: ReceiptCheck, query: StatusQuery)] = []
        var byTag: [String: [(check: ReceiptCheck, number: PhoneNumber)]] = [:]
        for check in due {
            guard let number = try? PhoneNumber(parsing: check.recipient) else { continue }
            if let id = check.providerMessageID, !id.isEmpty {
                byID.append((check, StatusQuery(phoneNumber: number, messageID: id)))
            } else if let tag = check.tag {
                byTag[tag, default: []].append((check, number))
            }
        }
        var singles = 0
        var multiMissing = false
        var start = 0
        while start < byID.count, report.failure == nil {
            let chunk = Array(byID[start..<min(start + SMSPartnerClient.maxStatusQueries, byID.count)])
            start += chunk.count
            guard let timeout = timeLeft() else { return asked }
            if !multiMissing {
                report.requests += 1
                switch client.multiStatus(chunk.map(\.query), timeout: timeout) {
                case .success(let statuses):
                    // Indexed once: 500 entries matched one by one would parse 125,000 numbers.
                    var byKey: [String: ReportedDelivery] = [:]
                    for status in statuses {
                        guard let number = status.phoneNumber.flatMap(TagStatus.number), let id = status.messageID else { continue }
                        byKey[number.e164 + " " + id] = byKey[number.e164 + " " + id] ?? status.delivery
                    }
                    // Entries that name neither number nor message, as many as asked: in order.
                    let inOrder = byKey.isEmpty && statuses.count == chunk.count
                    for (index, (check, query)) in chunk.enumerated() {
                        asked.insert(check.id)
                        if let delivery = byKey[query.phoneNumber.e164 + " " + query.messageID]
                            ?? (inOrder ? statuses[index].delivery : nil)
                        {
                            answers[check.id] = delivery
                        }
                    }
                    continue
                case .failure(let error) where error.httpStatusCode.map([404, 405, 501].contains) == true:
                    multiMissing = true
                case .failure(let error):
                    report.failure = error
                    return asked
                }
            }
            // No multi-status here: one request per number, as many as a run allows.
            for (check, query) in chunk {
                guard singles < Self.maxSingleQueries, let timeout = timeLeft() else { return asked }
                singles += 1
                report.requests += 1
                switch client.messageStatus(query, timeout: timeout) {
                case .success(let status):
                    asked.insert(check.id)
                    answers[check.id] = status.delivery
                case .failure(.rejected(let code, let message, _, _)):
                    // About this message only (code 4: not found): its answer, the others go on.
                    asked.insert(check.id)
                    answers[check.id] = .unrecognized("code \(code)" + (message.isEmpty ? "" : ": " + message))
                case .failure(let error):
                    report.failure = error
                    return asked
                }
            }
        }
        for (tag, checks) in byTag.sorted(by: { $0.key < $1.key }) {
            guard report.failure == nil, singles < Self.maxSingleQueries, let timeout = timeLeft() else { return asked }
            singles += 1
            report.requests += 1
            switch client.status(ofTag: tag, timeout: timeout) {
            case .success(let status):
                // Indexed once, as multi-status replies are: the first entry for each number.
                var byNumber: [String: TagStatus.Entry] = [:]
                for entry in status.entries {
                    guard let number = entry.phoneNumber.flatMap(TagStatus.number), byNumber[number.e164] == nil else { continue }
                    byNumber[number.e164] = entry
                }
                for (check, number) in checks {
                    let entry = byNumber[number.e164] ?? (status.entries.count == 1 && checks.count == 1 ? status.entries.first : nil)
                    asked.insert(check.id)
                    if let text = entry?.status { answers[check.id] = ReportedDelivery(status: text) }
                }
            case .failure(let error):
                report.failure = error
            }
        }
        return asked
    }
}
