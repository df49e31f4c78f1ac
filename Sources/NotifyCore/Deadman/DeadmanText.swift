import NotifyState
import SMSText

/// The two texts of the dead man's switch, each one GSM-7 SMS whatever `max_segments` says:
///
/// `DEADMAN Alertmanager https://am.example.org silent since 14:02 (no Watchdog for 10m)`
/// `RESTORED Alertmanager https://am.example.org Watchdog back at 14:31 (silent since 14:02)`
///
/// The cluster (its `externalURL`, input from the network) is escaped, put in GSM-7, and cut
/// (`...` at its end) when the whole would not fit; times are local, `HH:MM` on the day of the
/// SMS, else with their date.
public enum DeadmanText {
    /// How many characters of the alert name are kept.
    static let maxNameLength = 40

    /// A cluster fell silent: nothing came since `lastSeen`, sent at `now`.
    public static func silent(cluster: String, lastSeen: Timestamp, timeout: Duration, alertname: String, now: Timestamp) -> String {
        fit("DEADMAN Alertmanager ", cluster,
            " silent since \(clock(lastSeen, on: now)) (no \(name(alertname)) for \(DurationText.format(timeout)))")
    }

    /// A cluster silent since `silentSince` (its last heartbeat before) was heard at `now`.
    public static func back(cluster: String, alertname: String, now: Timestamp, silentSince: Timestamp) -> String {
        fit("RESTORED Alertmanager ", cluster,
            " \(name(alertname)) back at \(clock(now, on: now)) (silent since \(clock(silentSince, on: now)))")
    }

    /// `head`, the cluster as shown, `tail`: the cluster cut so that the whole fits one SMS.
    static func fit(_ head: String, _ cluster: String, _ tail: String) -> String {
        var shown = cluster
        while shown.hasSuffix("/") { shown.removeLast() }
        shown = GSM7Transliterator.transliterate(shown.displayEscaped).text
        let room = SMSEncoding.gsm7.singleSegmentCapacity - SMSMessage(head + tail).measure(as: .gsm7).units
        let cut = SMSTruncator.truncate(shown, toFit: max(room, 0), encoding: .gsm7, mark: "...").text
        return head + cut + tail
    }

    /// The alert name as configured, in GSM-7 and short.
    static func name(_ alertname: String) -> String {
        let text = GSM7Transliterator.transliterate(alertname.displayEscaped).text
        return text.count > maxNameLength ? String(text.prefix(maxNameLength - 3)) + "..." : text
    }

    /// `HH:MM` when `time` is on the local day of `now`, else `YYYY-MM-DD HH:MM`.
    static func clock(_ time: Timestamp, on now: Timestamp) -> String {
        let date = String(time.localDateTime.prefix(10))
        return date == String(now.localDateTime.prefix(10)) ? time.localTimeOfDay : "\(date) \(time.localTimeOfDay)"
    }
}
