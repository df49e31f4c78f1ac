import AlertModel
import Foundation
import NotifyState

/// A recipient's quiet hours: local windows in one time zone during which only the allowed
/// severities are texted; the rest is held for one digest at the end of the window.
///
/// Pure: ``quietUntil(_:)`` answers, for an instant, whether it is in quiet hours and until
/// when, from the zone's rules (`TimeZone`), across midnight and daylight-saving changes:
///
/// - a window's local start and end are placed on the instants they name that day; a local
///   time the clocks skip (02:30 on a spring-forward night) is the instant they jump, a local
///   time they repeat (02:30 on a fall-back night) is its first occurrence;
/// - windows that touch or overlap (Friday night's 22:00–07:00 and Saturday's 00:00–24:00) are
///   one quiet period: it ends when the last of them does.
public struct QuietHours: Sendable, Equatable {
    public var timeZone: TimeZone
    /// The severities that still go through (``QuietHours/allows(_:latestAboutSubject:)``).
    public var allow: Set<Severity>
    public var windows: [QuietWindow]

    public init(timeZone: TimeZone, allow: Set<Severity> = [.critical], windows: [QuietWindow]) {
        self.timeZone = timeZone
        self.allow = allow
        self.windows = windows
    }

    /// When the quiet period around `instant` ends; nil when `instant` is not in quiet hours.
    public func quietUntil(_ instant: Timestamp) -> Timestamp? {
        var end: Timestamp?
        var cursor = instant
        // Each step moves to a later window's end; a week of back-to-back windows at most.
        for _ in 0..<(8 * max(windows.count, 1)) {
            guard let next = windowEnd(containing: cursor), next > cursor else { break }
            end = next
            cursor = next
        }
        return end
    }

    /// Whether `instant` is in quiet hours.
    public func isQuiet(at instant: Timestamp) -> Bool {
        quietUntil(instant) != nil
    }

    /// The latest end of the windows that contain `instant` (start included, end excluded).
    func windowEnd(containing instant: Timestamp) -> Timestamp? {
        let today = localDay(of: instant)
        var end: Timestamp?
        for day in (today - 2)...(today + 1) {
            let weekday = Self.weekday(ofDay: day)
            for window in windows where window.days.contains(weekday) {
                let start = self.instant(day: day, minutes: window.from)
                let stop = self.instant(day: window.crossesMidnight ? day + 1 : day, minutes: window.to)
                if start <= instant, instant < stop, end.map({ stop > $0 }) ?? true {
                    end = stop
                }
            }
        }
        return end
    }

    /// Days since 1970-01-01 of the local date of `instant`.
    func localDay(of instant: Timestamp) -> Int64 {
        let seconds = Self.floorDiv(instant.milliseconds, 1000) + Int64(offset(atSeconds: Self.floorDiv(instant.milliseconds, 1000)))
        return Self.floorDiv(seconds, 86_400)
    }

    /// The instant of local `day` (days since 1970-01-01) at `minutes` after its midnight
    /// (1440: the next midnight). Skipped local times are the instant the clocks jump; repeated
    /// ones their first occurrence.
    func instant(day: Int64, minutes: Int) -> Timestamp {
        let wall = day * 86_400 + Int64(minutes) * 60
        let before = offset(atSeconds: wall - 86_400)
        let after = offset(atSeconds: wall + 86_400)
        let candidates = [before, after].map { wall - Int64($0) }.filter { offset(atSeconds: $0) == Int(wall - $0) }
        if let first = candidates.min() {
            return Timestamp(milliseconds: first * 1000)
        }
        // In a gap: the transition, between the wall time read with the later offset and with the earlier.
        let from = Date(timeIntervalSince1970: TimeInterval(wall - Int64(after)))
        let jump = timeZone.nextDaylightSavingTimeTransition(after: from).map { Int64($0.timeIntervalSince1970) } ?? (wall - Int64(before))
        return Timestamp(milliseconds: jump * 1000)
    }

    func offset(atSeconds seconds: Int64) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// 0 Sunday … 6 Saturday, of a day counted since 1970-01-01 (a Thursday).
    static func weekday(ofDay day: Int64) -> Int {
        Int(((day % 7) + 7 + 4) % 7)
    }

    static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    /// `07:00 (Europe/Paris)`, or `Mon 07:00 (Europe/Paris)` when it is more than a day after
    /// `now`: how `status`, `send` and `--dry-run` say when a held alert goes out.
    public func describe(_ instant: Timestamp, from now: Timestamp) -> String {
        let seconds = Self.floorDiv(instant.milliseconds, 1000)
        let wall = seconds + Int64(offset(atSeconds: seconds))
        let minutes = Int(Self.floorDiv(wall, 60) - Self.floorDiv(wall, 86_400) * 1440)
        let time = "\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
        let day = instant - now > .seconds(86_400)
            ? QuietWindow.dayNames[Self.weekday(ofDay: Self.floorDiv(wall, 86_400))].capitalized + " " : ""
        return "\(day)\(time) (\(timeZone.identifier))"
    }

    /// Whether `notification` still goes through during quiet hours:
    /// - a problem with one of the ``allow``ed severities (``Alert/stateSeverity``: Nagios and
    ///   Icinga CRITICAL, DOWN and UNREACHABLE, Alertmanager `severity=critical` are `critical`);
    /// - anything else about a subject (a recovery, an acknowledgement) when the recipient's
    ///   latest delivery about it was texted during quiet hours: it went through, so what closes
    ///   it does too. The rest (a recovery of a held alert, of one sent before the window) joins
    ///   the digest.
    public func allows(_ notification: AlertModel.Notification, latestAboutSubject latest: DeliveryRecord?) -> Bool {
        if notification.alerts.contains(where: { $0.kind == .problem && allow.contains($0.stateSeverity) }) {
            return true
        }
        guard !notification.alerts.contains(where: { $0.kind == .problem }), let latest else { return false }
        switch latest.state {
        case .sent, .sending, .pending, .unknown: return isQuiet(at: latest.createdAt)
        case .held, .digested, .duplicate, .failed, .expired: return false
        }
    }

    /// Whether a digest holding `entries` may go during quiet hours: when it holds a problem of
    /// an allowed severity (held by a rate limit).
    public func allowsDigest(of entries: [HeldEntry]) -> Bool {
        let ranks = Set(allow.map(\.rank))
        return entries.contains { $0.rank.map(ranks.contains) ?? false }
    }
}
