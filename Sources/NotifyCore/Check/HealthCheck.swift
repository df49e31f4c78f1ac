import NotifyState

/// `check`: the notifier judged as a Monitoring Plugin, from what SMSPartner says of the account
/// and what the state store holds.
///
/// The items, in this order:
/// - **credits**: `credits.creditSms` of `GET /me`, at or below a limit; a refused key or
///   account (code 10, a disabled account) is CRITICAL, no answer UNKNOWN;
/// - **outbox**: the age of the oldest message waiting; **queued**: how many wait;
/// - **last success**: how long deliveries have waited (or failed, or expired) with no SMS
///   accepted since, counted from the first of them decided after the last success. With
///   nothing waiting the last success may be as old as it likes: no traffic is not an error;
/// - **undelivered**: the share of `not_delivered` among the final reports of the window;
///   **no report**: the SMS of the window with no final report when one was expected;
/// - **store**: it can be opened, read and written (a write that is rolled back);
/// - **watchdog**: with a `deadman:` section, once a Watchdog was heard, each Alertmanager
///   cluster's last one; a cluster silent for `deadman.timeout` is CRITICAL.
public enum HealthCheck {
    /// The report on these facts as of `now`.
    public static func report(credits: CreditsFact, store: StoreFacts, thresholds: CheckThresholds, now: Timestamp,
                              deadman: DeadmanSettings = DeadmanSettings()) -> CheckReport {
        var items = [creditsItem(credits, thresholds.credits)]
        switch store {
        case .read(let reading):
            items += readingItems(reading, thresholds, now: now)
            if let watchdog = watchdogItem(reading.snapshot.heartbeats, deadman, now: now) { items.append(watchdog) }
            items.append(CheckItem("store", .ok, "store writable", perfData: [storeDatum(usable: true)]))
        case .noState:
            let empty = StoreFacts.Reading(snapshot: StatusSnapshot(now: now), receipts: ReceiptSummary(), firstUnsent: nil)
            items += readingItems(empty, thresholds, now: now)
            items.append(CheckItem("store", .ok, "no state yet", perfData: [storeDatum(usable: true)]))
        case .unusable(let error):
            // Nothing read: the store's items show as undetermined, the store says why.
            items += readingItems(nil, thresholds, now: now)
            items.append(CheckItem("store", .critical, "store: \(error)", perfData: [storeDatum(usable: false)]))
        }
        return CheckReport(items: items)
    }

    static func creditsItem(_ fact: CreditsFact, _ limits: CheckThresholds.Pair<Int>) -> CheckItem {
        func datum(_ value: String) -> PerfDatum {
            PerfDatum("credits", value, warning: "\(limits.warning)", critical: "\(limits.critical)")
        }
        switch fact {
        case .account(let account):
            let credits = account.creditSMS
            let state = limits.state(atOrBelow: credits)
            let text = switch state {
            case .critical: "credits \(credits) <= \(limits.critical)"
            case .warning: "credits \(credits) <= \(limits.warning)"
            default: "credits \(credits)"
            }
            return CheckItem("credits", state, text, perfData: [datum("\(credits)")])
        case .noKey(let why):
            return CheckItem("credits", .unknown, "credits not checked: \(why)", perfData: [datum("U")])
        case .failed(let error):
            return CheckItem("credits", CreditsFact.state(of: error), "credits: \(error)", perfData: [datum("U")])
        }
    }

    /// The outbox, last success and delivery items; nil: the store could not be read.
    static func readingItems(_ reading: StoreFacts.Reading?, _ limits: CheckThresholds, now: Timestamp) -> [CheckItem] {
        let undetermined = "U"
        let window = windowLabel(limits.window)
        guard let reading else {
            return [
                CheckItem("outbox", .ok, "", perfData: [seconds("oldest_queued", nil, limits.oldestQueued)]),
                CheckItem("queued", .ok, "", perfData: [count("queued", undetermined, limits.queued)]),
                CheckItem("last success", .ok, "", perfData: [seconds("last_success", nil, limits.lastSuccess)]),
                CheckItem("undelivered", .ok, "", perfData: [percent("undelivered", nil, limits.undelivered)]),
                CheckItem("no report", .ok, "", perfData: [count("no_report", undetermined, limits.noReport)]),
            ]
        }
        let snapshot = reading.snapshot
        var items: [CheckItem] = []

        let age = snapshot.oldestQueued.map { max(.zero, now - $0) } ?? .zero
        let outbox = snapshot.queued == 0 ? PluginState.ok : limits.oldestQueued.state(atOrAbove: age)
        let outboxText = snapshot.queued == 0 ? "outbox empty"
            : "outbox oldest \(format(age))" + limitText(outbox, limits.oldestQueued, " >= ", format)
        items.append(CheckItem("outbox", outbox, outboxText, perfData: [seconds("oldest_queued", age, limits.oldestQueued)]))

        let queued = limits.queued.state(atOrAbove: snapshot.queued)
        items.append(CheckItem("queued", queued, "queued \(snapshot.queued)" + limitText(queued, limits.queued, " >= ") { "\($0)" },
                               perfData: [count("queued", "\(snapshot.queued)", limits.queued)]))

        let lastAgo = snapshot.lastSent.map { "last success \(format(max(.zero, now - $0))) ago" } ?? "nothing sent yet"
        if let first = reading.firstUnsent {
            let overdue = max(.zero, now - first)
            let state = limits.lastSuccess.state(atOrAbove: overdue)
            let text = state == .ok ? "\(lastAgo) (a delivery due for \(format(overdue)))"
                : "no success for \(format(overdue))" + limitText(state, limits.lastSuccess, " >= ", format) + " (\(lastAgo))"
            items.append(CheckItem("last success", state, text, perfData: [seconds("last_success", overdue, limits.lastSuccess)]))
        } else {
            items.append(CheckItem("last success", .ok, lastAgo, perfData: [seconds("last_success", .zero, limits.lastSuccess)]))
        }

        let receipts = reading.receipts
        let reported = receipts[.delivered] + receipts[.notDelivered]
        if let share = receipts.undeliveredShare {
            let value = share * 100
            let state = limits.undelivered.state(atOrAbove: value)
            let text = "undelivered \(decimal(value))%" + limitText(state, limits.undelivered, " >= ") { decimal($0) + "%" }
                + " (\(receipts[.notDelivered]) of \(reported) in \(window))"
            items.append(CheckItem("undelivered", state, text, perfData: [percent("undelivered", value, limits.undelivered)]))
        } else {
            items.append(CheckItem("undelivered", .ok, "no delivery report in \(window)", perfData: [percent("undelivered", 0, limits.undelivered)]))
        }

        let missing = receipts.withoutReport
        let noReport = limits.noReport.state(atOrAbove: missing)
        items.append(CheckItem("no report", noReport, "no report \(missing)" + limitText(noReport, limits.noReport, " >= ") { "\($0)" },
                               perfData: [count("no_report", "\(missing)", limits.noReport)]))
        return items
    }

    /// The last Watchdog of each cluster; nil when none was ever heard, or without a
    /// `deadman:` section.
    static func watchdogItem(_ heartbeats: [Heartbeat], _ deadman: DeadmanSettings, now: Timestamp) -> CheckItem? {
        guard deadman.isConfigured, !heartbeats.isEmpty else { return nil }
        let timeout = deadman.timeout
        let silent = heartbeats.filter { $0.isSilent(now: now, timeout: timeout) }.sorted { $0.lastSeen < $1.lastSeen }
        let oldest = heartbeats.map { max(.zero, now - $0.lastSeen) }.max() ?? .zero
        let datum = PerfDatum("watchdog_age", "\(oldest.components.seconds)s", critical: "\(timeout.components.seconds)", minimum: "0")
        guard !silent.isEmpty else {
            let text = heartbeats.count == 1 ? "watchdog heard \(format(oldest)) ago" : "watchdog of \(heartbeats.count) clusters heard"
            return CheckItem("watchdog", .ok, text, perfData: [datum])
        }
        let names = silent.prefix(3).map { "\($0.cluster) for \(format(max(.zero, now - $0.lastSeen)))" }.joined(separator: " and ")
        return CheckItem("watchdog", .critical, "no Watchdog from \(names) >= \(format(timeout))" + (silent.count > 3 ? " (\(silent.count) clusters)" : ""),
                         perfData: [datum])
    }

    // MARK: Words and numbers

    /// ` >= 1h` with the limit `state` reached, nothing when OK.
    static func limitText<Value>(_ state: PluginState, _ limits: CheckThresholds.Pair<Value>, _ relation: String,
                                 _ show: (Value) -> String) -> String {
        switch state {
        case .critical: relation + show(limits.critical)
        case .warning: relation + show(limits.warning)
        default: ""
        }
    }

    /// A duration in whole seconds, as the configuration writes it: `75m` is `1h15m`.
    static func format(_ duration: Duration) -> String {
        DurationText.format(.seconds(duration.components.seconds))
    }

    /// `24h` rather than `1d`, as `status` names its window.
    static func windowLabel(_ window: Duration) -> String {
        window == .seconds(86_400) ? "24h" : DurationText.format(window)
    }

    /// At most one decimal: `12.5`, `10`.
    static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func seconds(_ label: String, _ value: Duration?, _ limits: CheckThresholds.Pair<Duration>) -> PerfDatum {
        PerfDatum(label, value.map { "\($0.components.seconds)s" } ?? "U",
                  warning: "\(limits.warning.components.seconds)", critical: "\(limits.critical.components.seconds)")
    }

    static func count(_ label: String, _ value: String, _ limits: CheckThresholds.Pair<Int>) -> PerfDatum {
        PerfDatum(label, value, warning: "\(limits.warning)", critical: "\(limits.critical)")
    }

    static func percent(_ label: String, _ value: Double?, _ limits: CheckThresholds.Pair<Double>) -> PerfDatum {
        PerfDatum(label, value.map { decimal($0) + "%" } ?? "U", warning: decimal(limits.warning), critical: decimal(limits.critical),
                  maximum: "100")
    }

    /// `store=1;;1:;0;1`: 1 usable, 0 not (critical below 1).
    static func storeDatum(usable: Bool) -> PerfDatum {
        PerfDatum("store", usable ? "1" : "0", critical: "1:", maximum: "1")
    }
}
