import ArgumentParser
import NotifyCore
import NotifyState

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `smspartner-notify status`: the outbox, the recent decisions and the last Watchdog of each
/// Alertmanager cluster (the dead man's switch), for a human or (`--json`) a script.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the outbox and what was sent, suppressed, failed or expired recently.",
        discussion: "Reads the state without changing it (a store not created yet shows as empty)."
    )

    @OptionGroup var state: StateOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: ArgumentHelp("How many of the latest decisions to list.", valueName: "n"))
    var latest: Int = 10

    func validate() throws {
        if !(0...1000).contains(latest) { throw ValidationError("--latest must be from 0 to 1000") }
    }

    static let windows: [Duration] = [.seconds(3600), .seconds(86_400)]

    /// `1h`, `24h`: how a window is named.
    static func label(_ window: Duration) -> String {
        window == .seconds(86_400) ? "24h" : DurationText.format(window)
    }

    func run() throws {
        let settings = try CommandSupport.settings(config: state.config, environment: ProcessEnvironment.current())
        let now = settings.clock()
        let store = try CommandSupport.stored { () throws(StateError) in try settings.existingStore(flag: state.stateDir, busyTimeout: .seconds(5)) }
        let read = try store.map { store in
            try CommandSupport.stored { () throws(StateError) in
                try store.read { (reader) throws(StateError) in
                    (try reader.statusSnapshot(now: now, windows: Self.windows, latest: latest),
                     try HeldSummary.read(reader, quietHours: settings.configuration.quietHours, now: now))
                }
            }
        }
        let snapshot = read?.0 ?? StatusSnapshot(now: now, windows: Self.windows.map { StatusSnapshot.Window(length: $0) })
        let held = read?.1 ?? []
        let path = settings.stateLocation(flag: state.stateDir)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var document = StatusDocument(snapshot, path: path, exists: store != nil)
            document.deadman = DeadmanDocument(snapshot, settings: settings.configuration.deadman)
            document.pages = snapshot.pages.isEmpty ? nil : snapshot.pages.map { PageDocument($0, escalations: snapshot.escalations) }
            document.held = held.isEmpty ? nil : held.map(HeldDocument.init)
            let data = try encoder.encode(document)
            print(String(decoding: data, as: UTF8.self))
        } else {
            for line in Self.lines(snapshot, path: path, exists: store != nil, deadman: settings.configuration.deadman, held: held) {
                Console.line(line)
            }
        }
    }

    static func lines(_ snapshot: StatusSnapshot, path: String, exists: Bool, deadman: DeadmanSettings, held: [HeldSummary] = []) -> [String] {
        let now = snapshot.now
        var lines = ["state: \(path)\(exists ? "" : " (not created yet)")"]
        let oldest = snapshot.oldestQueued.map { ", oldest \(DurationText.format(.seconds((now - $0).components.seconds))) old" } ?? ""
        let unknown = snapshot.unknown > 0 ? ", \(snapshot.unknown) sent without an answer, to be checked with SMSPartner" : ""
        lines.append("outbox: \(snapshot.queued) queued (\(snapshot.sending) being sent\(unknown))\(oldest)")
        lines.append("held for digests: \(snapshot.held)")
        // Who waits for the end of their quiet hours (a digest held by a rate limit goes at the next flush that has room).
        lines += held.filter { $0.quietUntil != nil }.map { "  " + $0.line }
        lines.append("last success: " + (snapshot.lastSent.map { "\($0.localDateTime) (\(DurationText.format(.seconds(max(0, (now - $0).components.seconds)))) ago)" } ?? "never"))
        for window in snapshot.windows {
            let suppressed = window.suppressed.values.reduce(0, +)
            let reasons = DecisionReason.allCases.compactMap { reason in window.suppressed[reason].map { "\(reason.rawValue) \($0)" } }
            let failed = window.failed.values.reduce(0, +)
            let classes = window.failed.keys.sorted().map { "\($0) \(window.failed[$0] ?? 0)" }
            lines.append("last \(label(window.length)): sent \(window.sent) (\(window.segments) SMS, cost \(Self.money(window.cost))), "
                + "suppressed \(suppressed)\(reasons.isEmpty ? "" : " (" + reasons.joined(separator: ", ") + ")"), "
                + "failed \(failed)\(classes.isEmpty ? "" : " (" + classes.joined(separator: ", ") + ")"), "
                + "expired \(window.expired), digests \(window.digests)"
                + Self.receipts(window.receipts))
        }
        lines += deadmanLines(snapshot, settings: deadman)
        lines += pageLines(snapshot)
        if !snapshot.latest.isEmpty {
            lines.append("latest:")
            for record in snapshot.latest {
                var line = "  #\(record.id) \(record.createdAt.localDateTime) \(record.recipient) \(record.state.rawValue)"
                if let detail = record.detail { line += " (\(detail))" }
                if let receipt = record.receipt, receipt.isFinal {
                    line += " → \(receipt.rawValue)" + (record.receiptAt.map { " \($0.localTimeOfDay)" } ?? "")
                    if receipt == .notDelivered, let why = record.receiptDetail { line += " (\(why))" }
                }
                if record.state == .sent, record.providerMessageID == nil, let tag = record.tag {
                    line += " (no answer came; confirmed by SMSPartner under tag \(tag))"
                }
                if let error = record.error, record.state != .sent { line += " [\(error)]" }
                if let text = record.text { line += ": " + DryRunReport.oneLine(text) }
                lines.append(line.count > 200 ? String(line.prefix(199)) + "…" : line)
            }
        }
        return lines
    }

    /// `, delivery: 12 delivered, 1 not_delivered, 0 expired, 3 awaiting a report` (empty
    /// when nothing sent in the window is tracked).
    static func receipts(_ summary: ReceiptSummary) -> String {
        guard !summary.counts.isEmpty else { return "" }
        return ", delivery: \(summary[.delivered]) delivered, \(summary[.notDelivered]) not_delivered, "
            + "\(summary[.expired]) expired, \(summary[.accepted]) awaiting a report"
    }

    static func money(_ value: Double) -> String {
        let cents = Int((value * 1000).rounded())
        let text = String(cents)
        let padded = String(repeating: "0", count: max(0, 4 - text.count)) + text
        return padded.dropLast(3) + "." + padded.suffix(3)
    }
}

/// `status --json`.
struct StatusDocument: Encodable {
    struct Outbox: Encodable {
        var queued: Int
        var sending: Int
        /// Sent without an answer: SMSPartner is asked (by tag) before any resend.
        var unknown: Int
        var held: Int
        var oldest_queued_at: String?
        var oldest_queued_age_seconds: Int64?
    }

    struct Window: Encodable {
        var sent: Int
        var segments: Int
        var cost: Double
        var suppressed: [String: Int]
        var failed: [String: Int]
        var expired: Int
        var digests: Int
        /// Deliveries sent in the window by delivery state (`accepted`, `delivered`,
        /// `not_delivered`, `expired`).
        var delivery: [String: Int]
    }

    struct Decision: Encodable {
        var id: Int64
        var at: String
        var recipient: String
        var state: String
        var reason: String?
        var detail: String?
        var attempts: Int
        var sent_at: String?
        var message_id: String?
        var nb_sms: Int?
        var error: String?
        var text: String?
        /// The message's SMSPartner tag.
        var tag: String?
        /// For a sent delivery: `accepted`, `delivered`, `not_delivered` or `expired`, since
        /// when, and SMSPartner's words.
        var delivery: String?
        var delivery_at: String?
        var delivery_detail: String?
    }

    var state: String
    var exists: Bool
    var now: String
    var outbox: Outbox
    var last_sent_at: String?
    var windows: [String: Window]
    var latest: [Decision]
    /// The dead man's switch: the last Watchdog of each Alertmanager cluster.
    var deadman: DeadmanDocument?
    /// Two-way paging: the pages not resolved, newest first (absent when there is none).
    var pages: [PageDocument]?
    /// Who has alerts held for a digest, and when it goes out.
    var held: [HeldDocument]?

    init(_ snapshot: StatusSnapshot, path: String, exists: Bool) {
        state = path
        self.exists = exists
        now = snapshot.now.iso8601
        outbox = Outbox(
            queued: snapshot.queued, sending: snapshot.sending, unknown: snapshot.unknown, held: snapshot.held,
            oldest_queued_at: snapshot.oldestQueued?.iso8601,
            oldest_queued_age_seconds: snapshot.oldestQueued.map { (snapshot.now - $0).components.seconds })
        last_sent_at = snapshot.lastSent?.iso8601
        windows = Dictionary(uniqueKeysWithValues: snapshot.windows.map { window in
            (StatusCommand.label(window.length), Window(
                sent: window.sent, segments: window.segments, cost: window.cost,
                suppressed: Dictionary(uniqueKeysWithValues: window.suppressed.map { ($0.key.rawValue, $0.value) }),
                failed: window.failed, expired: window.expired, digests: window.digests,
                delivery: Dictionary(uniqueKeysWithValues: ReceiptState.allCases.map { ($0.rawValue, window.receipts[$0]) })))
        })
        latest = snapshot.latest.map { record in
            Decision(
                id: record.id, at: record.createdAt.iso8601, recipient: record.recipient, state: record.state.rawValue,
                reason: record.reason?.rawValue, detail: record.detail, attempts: record.attempts,
                sent_at: record.sentAt?.iso8601, message_id: record.providerMessageID, nb_sms: record.nbSMS,
                error: record.error, text: record.text, tag: record.tag, delivery: record.receipt?.rawValue,
                delivery_at: record.receiptAt?.iso8601, delivery_detail: record.receiptDetail)
        }
    }
}
