#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in wall-clock time, in whole milliseconds since the Unix epoch: what the store
/// keeps, compares and shows (stable across processes, unlike a monotonic clock).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// The current time of the system clock.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(milliseconds: lhs.milliseconds + rhs.wholeMilliseconds)
    }

    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(milliseconds: lhs.milliseconds - rhs.wholeMilliseconds)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .milliseconds(lhs.milliseconds - rhs.milliseconds)
    }

    /// Local time of day, `HH:MM`, as a digest or a status line shows it.
    public var localTimeOfDay: String {
        let parts = localParts
        return Self.two(parts.tm_hour) + ":" + Self.two(parts.tm_min)
    }

    /// Local date and time, `YYYY-MM-DD HH:MM:SS`.
    public var localDateTime: String {
        let parts = localParts
        return "\(parts.tm_year + 1900)-\(Self.two(parts.tm_mon + 1))-\(Self.two(parts.tm_mday)) "
            + "\(Self.two(parts.tm_hour)):\(Self.two(parts.tm_min)):\(Self.two(parts.tm_sec))"
    }

    /// UTC, ISO 8601 with milliseconds: `2026-12-01T21:15:32.123Z` (the JSON form).
    public var iso8601: String {
        var seconds = time_t(milliseconds.floorDivided(by: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = milliseconds - milliseconds.floorDivided(by: 1000) * 1000
        let fraction = String(millis + 1000).dropFirst()
        return "\(parts.tm_year + 1900)-\(Self.two(parts.tm_mon + 1))-\(Self.two(parts.tm_mday))T"
            + "\(Self.two(parts.tm_hour)):\(Self.two(parts.tm_min)):\(Self.two(parts.tm_sec)).\(fraction)Z"
    }

    public var description: String { iso8601 }

    var localParts: tm {
        var seconds = time_t(milliseconds.floorDivided(by: 1000))
        var parts = tm()
        localtime_r(&seconds, &parts)
        return parts
    }

    static func two(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension Int64 {
    /// Division rounding towards minus infinity (times before 1970 stay on the right second).
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
