import NotifyState
import SMSPartner
import SMSText

/// Acts on an SMS reply (two-way paging): `ACK 4F` acknowledges the alert at its source,
/// `HELP` says how to reply, a STOP is recorded; only for a number that was sent the alert
/// or is `on_call`. Anyone else is ignored and never answered.
///
/// In three steps, so that no lock is held while a source is called:
/// 1. one write transaction records the reply (a callback repeated within ``repeatWindow``
///    is seen once), checks who sent it and finds the page its code names;
/// 2. the source is called (Nagios' command file, Icinga 2's API, an Alertmanager silence)
///    within `timeout`;
/// 3. one write transaction marks every open page of that alert acknowledged (when the source
///    did, or said it was done already), and queues the replier's confirmation (or why not),
///    and with `notify_others` an `ACKED … by …` to the alert's other recipients.
///
/// A source that could not be reached leaves the alert open: the replier is told, and can
/// reply again. An alert with no source API configured (a generic alert, or no
/// `two_way.nagios`…) is acknowledged here only, which stops its escalation.
public struct ReplyHandler: Sendable {
    public var settings: TwoWaySettings
    public var outbox: Outbox
    /// The longest a source is given.
    public var timeout: Duration

    /// A callback repeated within this time is the same reply.
    public static let repeatWindow = Duration.seconds(600)
    /// The most characters of a reply's text stored.
    public static let maxStoredText = 480

    public init(settings: TwoWaySettings, outbox: Outbox, timeout: Duration) {
        self.settings = settings
        self.outbox = outbox
        self.timeout = timeout
    }

    /// The replier's number: SMSPartner writes it without `+` (`33612345678`, an `msisdn`),
    /// as in its status replies (``TagStatus/number(_:)``); a national `06…` or a `+33…` is read
    /// as such. Nil when it is no phone number.
    public static func sender(_ from: String) -> PhoneNumber? {
        TagStatus.number(from)
    }

    /// What step 1 found to do.
    enum Plan {
        case done(ReplyReport)
        case act(reply: Int64, page: Page, request: AckRequest, report: ReplyReport)
    }

    /// Acts on `reply` (a long reply's parts put together already).
    public func handle(_ reply: ReplyCallback) throws(StateError) -> ReplyReport {
        let command: ReplyCommand = reply.isStop ? .stop : ReplyCommand.parse(reply.text)
        guard let sender = Self.sender(reply.from) else {
            return ReplyReport(outcome: .ignored, command: command, sender: String(reply.from.prefix(32)), detail: "not a phone number")
        }
        switch try plan(reply, command: command, sender: sender) {
        case .done(let report):
            return report
        case .act(let id, let page, let request, var report):
            let result = acknowledge(request)
            do {
                return try record(result, of: id, page: page, request: request, sender: sender, into: &report)
            } catch {
                // Marked failed when the store lets it: SMSPartner's retry (after the 503) is then
                // acted on, not taken for a repeat of a reply in progress.
                try? outbox.store.write { (tx) throws(StateError) in try tx.setReplyOutcome(id, "failed: \(error)") }
                throw error
            }
        }
    }

    /// Step 1: record, authorize, find the page.
    func plan(_ reply: ReplyCallback, command: ReplyCommand, sender: PhoneNumber) throws(StateError) -> Plan {
        let time = outbox.now()
        return try outbox.store.write { (tx) throws(StateError) -> Plan in
            try plan(reply, command: command, sender: sender, in: tx, at: time)
        }
    }

    func plan(_ reply: ReplyCallback, command: ReplyCommand, sender: PhoneNumber, in tx: any StateTransaction,
              at time: Timestamp) throws(StateError) -> Plan {
        let base = ReplyReport(outcome: .ignored, command: command, sender: sender.e164)
        let key = reply.messageID.map { "\($0.prefix(64))|\(sender.e164)|\(reply.text.prefix(160))" }
        let record = NewReply(messageID: key, sender: sender.e164, text: String(reply.text.prefix(Self.maxStoredText)), command: command.name)
        guard let id = try tx.recordReply(record, repeatedSince: time - Self.repeatWindow, at: time) else {
            return .done(with(base, .repeated))
        }
        // Its open pages and those resolved within the quiet period: what its codes may name.
        let own = try tx.pages(of: sender.e164, resolvedSince: time - PageCodes.quietPeriod)
        var known = !own.isEmpty
        if !known { known = !(try tx.pages(of: sender.e164, resolvedSince: Timestamp(milliseconds: 0))).isEmpty }
        guard settings.onCall[sender] != nil || known else {
            return try finish(with(base, .ignored, detail: "not sent any alert, not on_call"), reply: id, in: tx)
        }
        let code: String?
        let comment: String?
        let close: Bool
        switch command {
        case .stop:
            return try finish(with(base, .stop, detail: "STOP recorded: SMSPartner may refuse further SMS to this number"), reply: id, in: tx)
        case .help, .unknown:
            return try answer(with(base, .help), ReplyText.help, reply: id, help: true, in: tx, at: time)
        case .ack(let given, let words):
            (code, comment, close) = (given, words, false)
        case .close(let given, let words):
            (code, comment, close) = (given, words, true)
        }
        let found = try page(code: code, sender: sender, own: own, in: tx, at: time)
        let page: Page
        switch found {
        case .found(let match):
            page = match
        case .resolved(let match):
            return try answer(with(base, .settled, alert: match.name), ReplyText.alreadyResolved(match.name), reply: id, in: tx, at: time)
        case .none:
            let text = code.map(ReplyText.noSuchCode) ?? ReplyText.nothingOpen
            return try answer(with(base, .unknownCode), text, reply: id, in: tx, at: time)
        }
        if !close, page.ackedAt != nil {
            return try answer(with(base, .settled, alert: page.name), ReplyText.alreadyAcked(page.name, by: page.ackedBy ?? "someone"),
                              reply: id, in: tx, at: time)
        }
        var words = close ? "CLOSE" : "ACK"
        if let comment { words += " " + String(comment.prefix(200)) }
        words += Self.signature(sender)
        let request = AckRequest(target: page.target.flatMap(AckTarget.init(encoded:)) ?? Self.noTarget,
                                 author: settings.author(sender), comment: words, close: close)
        return .act(reply: id, page: page, request: request, report: with(base, .acknowledged, alert: page.name))
    }

    /// What a code (or a bare `ACK`) names among the pages.
    enum Found {
        case found(Page)
        /// Resolved less than the quiet period ago.
        case resolved(Page)
        case none
    }

    /// The page `code` names for `sender`: one of its own not resolved, else (for an `on_call`
    /// number) another number's when the code names one alert only; with no code, its latest
    /// open page, else its latest acknowledged one.
    func page(code: String?, sender: PhoneNumber, own: [Page], in tx: any StateTransaction, at time: Timestamp) throws(StateError) -> Found {
        guard let code else {
            return (own.first(where: \.isOpen) ?? own.first { $0.resolvedAt == nil }).map(Found.found) ?? .none
        }
        if let page = own.first(where: { $0.code == code && $0.resolvedAt == nil }) { return .found(page) }
        // Its own alert resolved lately goes first: a late ACK never reaches another's alert.
        if let recent = own.first(where: { $0.code == code }) { return .resolved(recent) }
        if settings.onCall[sender] != nil {
            let others = try tx.openPages(code: code)
            if let first = others.first, others.allSatisfy({ $0.subject == first.subject }) { return .found(first) }
        }
        return .none
    }

    /// What ends the comment of an acknowledgement made by reply: ` (SMS from +33600000000)`.
    static func signature(_ sender: PhoneNumber) -> String { " (SMS from \(sender.e164))" }

    /// The number a source's acknowledgement comment says replied (``signature(_:)``), if any:
    /// the source may notify its ACKNOWLEDGEMENT before this handler has recorded who acked.
    public static func replier(signing comment: String) -> String? {
        guard comment.hasSuffix(")"), let start = comment.range(of: " (SMS from +", options: .backwards) else { return nil }
        let number = comment[comment.index(before: start.upperBound)..<comment.index(before: comment.endIndex)]
        return (try? PhoneNumber(parsing: String(number)))?.e164
    }

    /// The target of a page whose alert has none (a generic alert): acknowledged here only.
    static let noTarget = AckTarget.nagios(host: "", service: nil)

    func finish(_ report: ReplyReport, reply id: Int64, in tx: any StateTransaction) throws(StateError) -> Plan {
        try tx.setReplyOutcome(id, report.outcome.rawValue + (report.detail.map { ": " + String($0.prefix(200)) } ?? ""))
        return .done(report)
    }

    func answer(_ report: ReplyReport, _ text: String, reply id: Int64, help: Bool = false, in tx: any StateTransaction,
                at time: Timestamp) throws(StateError) -> Plan {
        var report = report
        report.detail = report.detail ?? text
        if let sender = try? PhoneNumber(parsing: report.sender),
           try queueAnswer(text, to: sender, reply: id, help: help, label: report.alert, in: tx, at: time) {
            report.answer = text
        }
        return try finish(report, reply: id, in: tx)
    }

    /// What step 2 got from the source.
    struct SourceResult {
        var outcome: AckOutcome
        var silence: AlertmanagerSilencer.Silence?
    }

    /// Step 2: the source's acknowledgement (no lock held).
    func acknowledge(_ request: AckRequest) -> SourceResult {
        guard request.target != Self.noTarget else {
            return SourceResult(outcome: request.close ? .notSupported(detail: "this alert's source cannot be told")
                                    : .acknowledged(detail: "acknowledged here (its source has no API)"))
        }
        if case .alertmanager(let matchers, _) = request.target, let alertmanager = settings.alertmanager, !request.close {
            switch AlertmanagerSilencer(settings: alertmanager).createSilence(
                matching: matchers, author: request.author, comment: request.comment, timeout: timeout) {
            case .success(let silence): return SourceResult(outcome: .acknowledged(detail: silence.summary), silence: silence)
            case .failure(let failure): return SourceResult(outcome: .failed(reason: failure.reason))
            }
        }
        guard let acknowledger = settings.acknowledger(for: request.target) else {
            return SourceResult(outcome: request.close ? .notSupported(detail: "no two_way API is configured for its source")
                                    : .acknowledged(detail: "acknowledged here (no two_way API for its source)"))
        }
        return SourceResult(outcome: acknowledger.acknowledge(request, timeout: timeout))
    }

    /// Step 3: the pages, the answer, the notices.
    func record(_ result: SourceResult, of id: Int64, page: Page, request: AckRequest, sender: PhoneNumber,
                into report: inout ReplyReport) throws(StateError) -> ReplyReport {
        let time = outbox.now()
        let settings = settings
        return try outbox.store.write { (tx) throws(StateError) -> ReplyReport in
            var report = report
            let text: String
            switch result.outcome {
            case .acknowledged(let detail), .alreadyDone(let detail):
                report.detail = detail
                if request.close, case .acknowledged = result.outcome {
                    report.outcome = .closed
                    text = ReplyText.closed(page.name, detail: detail)
                    _ = try tx.resolvePages(about: page.subject, at: time)
                } else {
                    if case .alreadyDone = result.outcome { report.outcome = .settled }
                    text = ReplyText.acknowledged(page.name, detail: detail)
                    let silence = result.silence.map { (id: $0.id, until: $0.endsAt) }
                    let acknowledged = try tx.acknowledgePages(about: page.subject, by: request.author, number: sender.e164,
                                                               silence: silence, at: time)
                    if settings.notifyOthers, acknowledged > 0 {
                        let others = try tx.openPages(about: page.subject).compactMap { try? PhoneNumber(parsing: $0.recipient) }
                            .filter { $0 != sender }
                        let notice = Outbox.DirectMessage(
                            kind: .reply, text: EscalationText.acked(label: page.name, by: request.author), source: "two-way",
                            typeLabel: "ACKED", label: page.name, dedupKey: "acked:" + page.subject, status: "acked",
                            detail: "acknowledged by \(request.author)")
                        report.notices = try outbox.queue(notice, to: others, in: tx, at: time).count {
                            if case .send = $0.decision { true } else { false }
                        }
                    }
                }
            case .notSupported(let detail):
                report.outcome = .failed
                report.detail = detail
                text = ReplyText.notSupported(page.name, detail: detail)
            case .failed(let reason):
                report.outcome = .failed
                report.detail = reason
                text = ReplyText.failed(page.name, reason: reason, close: request.close)
            }
            if try queueAnswer(text, to: sender, reply: id, help: false, label: page.name, in: tx, at: time) { report.answer = text }
            try tx.setReplyOutcome(id, report.outcome.rawValue + (report.detail.map { ": " + String($0.prefix(200)) } ?? ""))
            return report
        }
    }

    /// Queues `text` to the replier; whether it was (a HELP answer goes once per `dedup_window`,
    /// so that an auto-responder cannot start a loop).
    func queueAnswer(_ text: String, to sender: PhoneNumber, reply id: Int64, help: Bool, label: String?, in tx: any StateTransaction,
                     at time: Timestamp) throws(StateError) -> Bool {
        let message = Outbox.DirectMessage(
            kind: .reply, text: text, source: "two-way", typeLabel: "REPLY", label: label ?? "help",
            dedupKey: help ? "reply-help" : "reply:\(id)", status: help ? "help" : "answer", detail: "answer to a reply")
        let decisions = try outbox.queue(message, to: [sender], in: tx, at: time)
        return decisions.contains { if case .send = $0.decision { true } else { false } }
    }

    func with(_ report: ReplyReport, _ outcome: ReplyReport.Outcome, alert: String? = nil, detail: String? = nil) -> ReplyReport {
        var report = report
        report.outcome = outcome
        report.alert = alert ?? report.alert
        report.detail = detail ?? report.detail
        return report
    }
}

extension ReplyCommand {
    /// The command's name, as the reply log stores it.
    public var name: String {
        switch self {
        case .ack: "ack"
        case .close: "close"
        case .help: "help"
        case .stop: "stop"
        case .unknown: "unknown"
        }
    }
}
