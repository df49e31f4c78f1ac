import Testing

@testable import NotifyState

@Suite struct TimestampTests {
    @Test func iso8601IsUTCWithMilliseconds() {
        #expect(Timestamp(milliseconds: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 1_764_623_732_123).iso8601 == "2025-12-01T21:15:32.123Z")
        #expect(Timestamp(milliseconds: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }

    @Test func arithmeticWithDurations() {
        let t = Timestamp(milliseconds: 10_000)
        #expect(t + .seconds(2) == Timestamp(milliseconds: 12_000))
        #expect(t - .milliseconds(500) == Timestamp(milliseconds: 9_500))
        #expect(Timestamp(milliseconds: 12_000) - t == .seconds(2))
    }

    @Test func nowIsNearTheSystemClock() {
        let a = Timestamp.now()
        let b = Timestamp.now()
        #expect(a <= b)
        #expect(a.milliseconds > 1_700_000_000_000)
    }
}
