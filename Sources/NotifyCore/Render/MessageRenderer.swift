import AlertModel
import SMSText

/// Turns a notification into one SMS within a segment budget, essentials first.
///
/// 1. The template for the notification (``TemplateSet``) is rendered with every field whole.
/// 2. The text is cleaned (runs of spaces collapsed, lines trimmed, blank lines dropped) and
///    put in the configured encoding (``EncodingMode``: transliterated to GSM-7 when Latin
///    enough).
/// 3. While it does not fit `max_segments`, fields are shortened in ``TemplateField`` order:
///    details, then the message (output, summary, comment), each cut at a word boundary with
///    `...` (GSM-7) or `…` (UCS-2) and as little as possible; then fewer alerts of a group are
///    listed ("+K more"); then context labels are left out. Type, state, host, service and
///    alert names are never shortened by these steps.
/// 4. If it still does not fit, the whole text is cut (``SMSBudget``): the SMS never exceeds
///    the budget.
///
/// Built-in templates give `PROBLEM web01/HTTP CRITICAL: Connection refused`,
/// `RECOVERY db1 UP: PING OK - rta 0.4 ms`, `FIRING HighLatency api-1 critical: p99 > 2s`,
/// `RESOLVED [3] HighLatency api prod` (then one line per alert), and for plain text the
/// summary then the details.
public struct MessageRenderer: Sendable {
    public var budget: SMSBudget
    public var encoding: EncodingMode
    public var templates: TemplateSet
    /// How an Alertmanager alert's subject and context labels are told from scrape plumbing.
    public var subjectRules: SubjectRules

    /// `reserved`: characters kept free at the end for a suffix added once the message is
    /// admitted (the reply code of two-way paging, ``TwoWaySettings/codeSuffixLength``).
    public init(maxSegments: Int = 1, encoding: EncodingMode = .auto, templates: TemplateSet = .builtIn,
                subjectRules: SubjectRules = .standard, reserved: Int = 0) {
        self.budget = SMSBudget(maxSegments: maxSegments, reserved: reserved)
        self.encoding = encoding
        self.templates = templates
        self.subjectRules = subjectRules
    }

    /// Renders a notification with its template, shortened to fit.
    public func render(_ notification: Notification) -> RenderedMessage {
        guard let entry = templates.template(for: notification), let template = entry.template else {
            return render(text: notification.alerts.first?.summary ?? "")
        }
        let name = "\(entry.name) (\(entry.origin))"
        // Fields longer than the largest SMS cannot show whole anyway: cap them first, so
        // every trial below renders a short text.
        let cap = budget.effectiveMaxSegments * 160 + 1
        let capped = Self.capping(notification, to: cap)
        let probe = TemplateContext(notification: capped, mark: "", rules: subjectRules)
        let first = finish(template.render(probe.variables(.init())))
        let maxListed = max(1, budget.effectiveMaxSegments * 160 / 8)
        // Nothing shortened, nothing to mark: the whole text is the answer when it fits
        // (one render, the common case).
        if capped.alerts.count <= maxListed, budget.fits(SMSMessage(first.text)) {
            return measured(first, truncated: [], template: name)
        }
        let mark = SMSMessage(first.text).encoding.truncationMark
        let context = TemplateContext(notification: capped, mark: mark, rules: subjectRules)

        var shrink = TemplateContext.Shrink()
        if capped.alerts.count > maxListed { shrink.listed = maxListed }
        var truncated: [String] = []
        // The last trial, kept: the search ends on the shrink it tried last more often than not.
        var last: (shrink: TemplateContext.Shrink, result: GSM7Transliteration)?
        func attempt(_ shrink: TemplateContext.Shrink) -> GSM7Transliteration {
            if let last, last.shrink == shrink { return last.result }
            let result = finish(template.render(context.variables(shrink)))
            last = (shrink, result)
            return result
        }
        func fits(_ shrink: TemplateContext.Shrink) -> Bool {
            budget.fits(SMSMessage(attempt(shrink).text))
        }
        /// The largest value of `field` in `range` with which the text fits, the rest of
        /// `shrink` as it stands.
        func largest(_ field: WritableKeyPath<TemplateContext.Shrink, Int?>, in range: ClosedRange<Int>) -> Int? {
            Self.largest(in: range) { value in
                var trial = shrink
                trial[keyPath: field] = value
                return fits(trial)
            }
        }

        if !fits(shrink) {
            for field in TemplateField.allCases {
                switch field {
                case .hosts:
                    guard capped.alerts.contains(where: { $0.host.flatMap(TemplateContext.shortName) != nil }) else { continue }
                    shrink.shortHosts = true
                case .details:
                    let longest = capped.alerts.map { max($0.details?.count ?? 0, $0.longOutput?.count ?? 0) }.max() ?? 0
                    if longest == 0 { continue }
                    shrink.details = largest(\.details, in: 0...longest) ?? 0
                case .message:
                    let longest = capped.alerts.map {
                        [$0.output, $0.summary, $0.comment, $0.details].compactMap { $0?.count }.max() ?? 0
                    }.max() ?? 0
                    if longest == 0 { continue }
                    shrink.message = largest(\.message, in: 0...longest) ?? 0
                case .alerts:
                    let count = min(capped.alerts.count, shrink.listed ?? capped.alerts.count)
                    if count <= 1 { continue }
                    shrink.listed = largest(\.listed, in: 1...count) ?? 1
                case .labels:
                    shrink.hidesLabels = true
                }
                if !truncated.contains(field.rawValue) { truncated.append(field.rawValue) }
                if fits(shrink) { break }
            }
        }
        // Listing fewer alerts or hiding labels may leave room to give the text back.
        if shrink.hidesLabels || shrink.listed != nil {
            for field in [\TemplateContext.Shrink.message, \.details] {
                if let limit = shrink[keyPath: field] {
                    shrink[keyPath: field] = largest(field, in: limit...(limit + budget.effectiveMaxSegments * 160)) ?? limit
                }
            }
        }
        if shrink.listed != nil, !truncated.contains("alerts") { truncated.append("alerts") }
        let result = attempt(shrink)
        return measured(result, truncated: truncated, template: name)
    }

    /// Renders a text given as is (`--message`): trimmed, put in the configured encoding,
    /// cut to the budget if needed.
    public func render(text: String) -> RenderedMessage {
        let result = encoding.apply(to: text.trimmingWhitespace())
        let trimmed = GSM7Transliteration(text: result.text.trimmingWhitespace(), replaced: result.replaced)
        return measured(trimmed, truncated: [], template: "--message")
    }

    /// The final message: `result` cut to the budget as a last resort.
    func measured(_ result: GSM7Transliteration, truncated: [String], template: String) -> RenderedMessage {
        var truncated = truncated
        let (message, cut) = budget.truncate(SMSMessage(result.text))
        if cut { truncated.append("text") }
        let replaced = result.replaced.sorted { $0.key < $1.key }.map { (from: $0.key, to: $0.value) }
        return RenderedMessage(
            message: message,
            measurement: message.measure(),
            truncated: truncated,
            transliterated: replaced,
            template: template
        )
    }

    /// A rendered template cleaned up and put in the configured encoding.
    func finish(_ rendered: String) -> GSM7Transliteration {
        let result = encoding.apply(to: rendered)
        return GSM7Transliteration(text: Self.clean(result.text), replaced: result.replaced)
    }

    /// Collapses runs of spaces and tabs, trims every line, drops a leading ": " and blank
    /// lines: templates leave gaps where optional values are absent, and an SMS has no room
    /// for them.
    static func clean(_ text: String) -> String {
        var lines: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = ""
            var pendingSpace = false
            for character in rawLine {
                if character == " " || character == "\t" || (character.isWhitespace && !character.isNewline) {
                    pendingSpace = !line.isEmpty
                } else {
                    if pendingSpace { line.append(" ") }
                    pendingSpace = false
                    line.append(character)
                }
            }
            // A template's separator left without what precedes it (": output").
            if line.hasPrefix(": ") { line.removeFirst(2) }
            if !line.isEmpty { lines.append(line) }
        }
        return lines.joined(separator: "\n")
    }

    /// The largest value in `range` that `accepts`, assuming it is monotone (accepted values
    /// form a prefix of the range); nil when none is.
    static func largest(in range: ClosedRange<Int>, accepts: (Int) -> Bool) -> Int? {
        guard accepts(range.lowerBound) else { return nil }
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high + 1) / 2
            if accepts(middle) { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// `notification` with every text field cut to `limit` characters.
    static func capping(_ notification: Notification, to limit: Int) -> Notification {
        func cap(_ text: String?) -> String? {
            guard let text, text.count > limit else { return text }
            return String(text.prefix(limit))
        }
        var result = notification
        result.alerts = notification.alerts.map { alert in
            var alert = alert
            alert.output = cap(alert.output)
            alert.longOutput = cap(alert.longOutput)
            alert.summary = cap(alert.summary)
            alert.details = cap(alert.details)
            alert.comment = cap(alert.comment)
            return alert
        }
        return result
    }
}
