import NotifyState

/// Durations as the configuration writes them: a whole number and a unit, `90s`, `15m`, `1h`,
/// `7d` (`ms` too, for tests), or several in a row (`1h30m`).
public enum DurationText {
    /// The duration, or nil when `text` is not of that form or is zero.
    public static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
        var digits = ""
        var unit = ""
        var parts: [(String, String)] = []
        for character in text.trimmingWhitespace() {
            if character.isASCII && character.isNumber {
                if !unit.isEmpty {
                    parts.append((digits, unit))
                    digits = ""
                    unit = ""
                }
                digits.append(character)
            } else if character.isASCII && character.isLetter, !digits.isEmpty {
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !digits.isEmpty, !unit.isEmpty else { return nil }
        parts.append((digits, unit))
        for (digits, unit) in parts {
            guard digits.count <= 9, let value = Int64(digits) else { return nil }
            switch unit {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            case "d": total += .seconds(value * 86_400)
            default: return nil
            }
        }
        return total > .zero ? total : nil
    }

    /// The shortest spelling: `15m`, `1h`, `1h30m`, `90s`, `1500ms`.
    public static func format(_ duration: Duration) -> String {
        var milliseconds = duration.wholeMilliseconds
        guard milliseconds > 0 else { return "0s" }
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        milliseconds /= 1000
        var text = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}
