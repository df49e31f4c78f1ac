import AlertModel
import Foundation
import NotifyState
import Testing

@testable import NotifyCore

/// ``QuietHours`` on Europe/Paris: midnight, weekends, `24:00`, both daylight-saving changes of
/// 2026 (29 March 02:00→03:00, 25 October 03:00→02:00), checked by hand and against a
/// brute-force reading of the local clock over a year.
@Suite struct QuietHoursTests {
    static let paris = TimeZone(identifier: "Europe/Paris")

    /// An instant given in UTC.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute)) ?? Date()
        return Timestamp(milliseconds: Int64(date.timeIntervalSince1970 * 1000))
    }

    static func schedule(_ windows: [(String, String, String)], allow: Set<Severity> = [.critical]) throws -> QuietHours {
        let zone = try #require(paris)
        return QuietHours(timeZone: zone, allow: allow, windows: try windows.map { days, from, to in
            QuietWindow(days: try #require(QuietWindow.parseDays(days)), from: try #require(QuietWindow.parseTime(from)),
                        to: try #require(QuietWindow.parseTime(to)))
        })
    }

    static let nights = [("mon-fri", "22:00", "07:00"), ("sat-sun", "00:00", "24:00")]

    @Test func aWeekNightCrossesMidnight() throws {
        let quiet = try Self.schedule(Self.nights)
        // Wednesday 2 December 2026, Paris is UTC+1.
        #expect(quiet.quietUntil(Self.utc(2026, 12, 2, 20, 59)) == nil, "21:59 local")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 2, 21, 0)) == Self.utc(2026, 12, 3, 6), "22:00 local: until Thursday 07:00")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 2, 23, 30)) == Self.utc(2026, 12, 3, 6), "00:30 local")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 3, 5, 59)) == Self.utc(2026, 12, 3, 6), "06:59 local")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 3, 6, 0)) == nil, "07:00 local: over")
    }

    @Test func fridayNightRunsIntoTheWeekendUntilMondayMidnight() throws {
        let quiet = try Self.schedule(Self.nights)
        let mondayMidnight = Self.utc(2026, 12, 6, 23)  // Monday 7 December 00:00 local
        #expect(quiet.quietUntil(Self.utc(2026, 12, 4, 22)) == mondayMidnight, "Friday 23:00")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 6, 11)) == mondayMidnight, "Sunday noon")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 7, 2)) == nil, "Monday 03:00: Sunday night is not a week night")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 7, 21)) == Self.utc(2026, 12, 8, 6), "Monday 22:00")
    }

    @Test func twentyFourHundredIsTheEndOfTheDay() throws {
        let quiet = try Self.schedule([("tue", "00:00", "24:00")])
        #expect(quiet.quietUntil(Self.utc(2026, 12, 7, 23)) == Self.utc(2026, 12, 8, 23), "Tuesday 00:00 until Wednesday 00:00")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 8, 22, 59)) == Self.utc(2026, 12, 8, 23), "Tuesday 23:59")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 8, 23)) == nil, "Wednesday 00:00")
        #expect(quiet.quietUntil(Self.utc(2026, 12, 7, 22, 59)) == nil, "Monday 23:59")
    }

    @Test func theSpringNightIsAnHourShorter() throws {
        let quiet = try Self.schedule([("mon-sun", "22:00", "07:00")])
        // Saturday 28 March 23:00 CET (UTC+1) until Sunday 29 March 07:00 CEST (UTC+2).
        let until = try #require(quiet.quietUntil(Self.utc(2026, 3, 28, 22)))
        #expect(until == Self.utc(2026, 3, 29, 5))
        #expect(until - Self.utc(2026, 3, 28, 21) == .seconds(8 * 3600), "22:00 to 07:00 lasts 8 hours that night")
    }

    @Test func aWindowStartingOrEndingInTheSkippedHourUsesTheJump() throws {
        // 29 March 2026: local 02:00-03:00 does not exist; the jump is at 01:00 UTC.
        let starts = try Self.schedule([("sun", "02:30", "05:00")])
        #expect(starts.quietUntil(Self.utc(2026, 3, 29, 0, 59)) == nil)
        #expect(starts.quietUntil(Self.utc(2026, 3, 29, 1)) == Self.utc(2026, 3, 29, 3), "from the jump until 05:00 CEST")
        let ends = try Self.schedule([("sat", "22:00", "02:30")])
        #expect(ends.quietUntil(Self.utc(2026, 3, 28, 23)) == Self.utc(2026, 3, 29, 1), "until the jump")
        #expect(ends.quietUntil(Self.utc(2026, 3, 29, 1)) == nil)
    }

    @Test func theAutumnNightIsAnHourLonger() throws {
        let quiet = try Self.schedule([("mon-sun", "22:00", "07:00")])
        // Saturday 24 October 22:00 CEST (UTC+2) until Sunday 25 October 07:00 CET (UTC+1).
        let until = try #require(quiet.quietUntil(Self.utc(2026, 10, 24, 21)))
        #expect(until == Self.utc(2026, 10, 25, 6))
        #expect(until - Self.utc(2026, 10, 24, 20) == .seconds(10 * 3600))
        #expect(quiet.quietUntil(Self.utc(2026, 10, 25, 1, 30)) == Self.utc(2026, 10, 25, 6), "in the repeated hour")
        #expect(quiet.quietUntil(Self.utc(2026, 10, 25, 6)) == nil)
    }

    @Test func aWindowStartingOrEndingInTheRepeatedHourUsesItsFirstOccurrence() throws {
        // 25 October 2026: local 02:00-03:00 happens twice (00:00-01:00 UTC, then 01:00-02:00 UTC).
        let ends = try Self.schedule([("sat", "22:00", "02:30")])
        #expect(ends.quietUntil(Self.utc(2026, 10, 24, 23)) == Self.utc(2026, 10, 25, 0, 30))
        #expect(ends.quietUntil(Self.utc(2026, 10, 25, 1, 30)) == nil, "the second 02:30 is after the end")
        let starts = try Self.schedule([("sun", "02:30", "05:00")])
        #expect(starts.quietUntil(Self.utc(2026, 10, 25, 0, 29)) == nil)
        #expect(starts.quietUntil(Self.utc(2026, 10, 25, 0, 30)) == Self.utc(2026, 10, 25, 4), "until 05:00 CET")
    }

    @Test func daysAndTimesParse() {
        #expect(QuietWindow.parseDays("mon-fri") == [1, 2, 3, 4, 5])
        #expect(QuietWindow.parseDays("sat-sun") == [6, 0])
        #expect(QuietWindow.parseDays("fri-mon") == [5, 6, 0, 1])
        #expect(QuietWindow.parseDays("tue") == [2])
        #expect(QuietWindow.parseDays("Monday, wed") == [1, 3])
        #expect(QuietWindow.parseDays("mon-xyz") == nil)
        #expect(QuietWindow.parseDays("") == nil)
        #expect(QuietWindow.parseDays("mon-tue-wed") == nil)
        #expect(QuietWindow.parseTime("24:00") == 1440)
        #expect(QuietWindow.parseTime("07:05") == 425)
        #expect(QuietWindow.parseTime("24:30") == nil)
        #expect(QuietWindow.parseTime("7:00") == nil)
        #expect(QuietWindow.parseTime("07:60") == nil)
    }

    @Test func theEndIsSaidInTheScheduleZone() throws {
        let quiet = try Self.schedule(Self.nights)
        #expect(quiet.describe(Self.utc(2026, 12, 3, 6), from: Self.utc(2026, 12, 2, 22)) == "07:00 (Europe/Paris)")
        #expect(quiet.describe(Self.utc(2026, 12, 6, 23), from: Self.utc(2026, 12, 4, 22)) == "Mon 00:00 (Europe/Paris)")
    }

    /// Every 7 minutes over 2026, the answer agrees with the local clock read by `Calendar`:
    /// quiet exactly when the weekday and time say so, and the end is the first instant after
    /// that is not quiet (checked on each side of it).
    @Test func aYearOfInstantsAgreesWithTheLocalClock() throws {
        let quiet = try Self.schedule(Self.nights)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(Self.paris)
        func quietByClock(_ instant: Timestamp) -> Bool {
            let date = Date(timeIntervalSince1970: Double(instant.milliseconds) / 1000)
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
            let weekday = (parts.weekday ?? 1) - 1
            let minutes = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
            if weekday == 0 || weekday == 6 { return true }
            if minutes >= 22 * 60 { return true }
            // The early morning after a week night (Monday's belongs to Sunday: none).
            return minutes < 7 * 60 && (2...5).contains(weekday)
        }
        var instant = Self.utc(2026, 1, 1, 0)
        let end = Self.utc(2027, 1, 1, 0)
        var checked = 0
        while instant < end {
            let until = quiet.quietUntil(instant)
            #expect((until != nil) == quietByClock(instant), "at \(instant)")
            if let until {
                #expect(!quietByClock(until), "the end \(until) of \(instant) is not quiet")
                #expect(quietByClock(until - .seconds(60)), "the minute before \(until) is quiet")
                #expect(until - instant <= .seconds(3 * 86_400), "at \(instant)")
            }
            instant = instant + .seconds(7 * 60)
            checked += 1
        }
        #expect(checked > 70_000)
    }
}
