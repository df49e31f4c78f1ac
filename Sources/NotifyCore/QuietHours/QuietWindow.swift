/// One line of `quiet_hours.windows`: the days it starts on and its local start and end
/// (`{days: mon-fri, from: "22:00", to: "07:00"}`).
///
/// A window whose end is not after its start crosses midnight and belongs to the day it starts
/// on: Friday's `22:00`–`07:00` ends on Saturday at 07:00. `24:00` is the end of the day.
public struct QuietWindow: Sendable, Equatable {
    /// The weekdays it starts on, 0 Sunday … 6 Saturday.
    public var days: Set<Int>
    /// Minutes after local midnight: `from` in 0..<1440, `to` in 0...1440.
    public var from: Int
    public var to: Int

    public init(days: Set<Int>, from: Int, to: Int) {
        self.days = days
        self.from = from
        self.to = to
    }

    /// Whether it runs past midnight into the next day.
    public var crossesMidnight: Bool { to <= from }

    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Days as the configuration writes them: `mon-fri`, `sat-sun` (a range may wrap around the
    /// week: `fri-mon`), `tue`, or several joined by commas (`mon,wed,fri`); full names too
    /// (`monday`). Nil when unreadable.
    public static func parseDays(_ text: String) -> Set<Int>? {
        var days = Set<Int>()
        for part in text.lowercased().filter({ $0 != " " }).split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map(dayIndex)
            guard (1...2).contains(bounds.count), let first = bounds.first ?? nil, let last = bounds.last ?? nil else { return nil }
            var day = first
            days.insert(day)
            while day != last {
                day = (day + 1) % 7
                days.insert(day)
            }
        }
        return days.isEmpty ? nil : days
    }

    /// `mon` or `monday` → 1; nil for anything else.
    static func dayIndex(_ name: Substring) -> Int? {
        dayNames.firstIndex(of: String(name)) ?? fullNames.firstIndex(of: String(name))
    }

    static let fullNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    /// `HH:MM` (`24:00` allowed as the end of the day) as minutes after midnight; nil otherwise.
    public static func parseTime(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0...24).contains(hours), (0...59).contains(minutes) else { return nil }
        guard hours < 24 || minutes == 0 else { return nil }
        return hours * 60 + minutes
    }
}
