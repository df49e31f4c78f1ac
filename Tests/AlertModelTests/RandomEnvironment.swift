import AlertModel
import SeededRandom
import Testing

/// Seeded random environments and flags (``SplitMix64``), for the Nagios and Icinga decoders'
/// robustness tests.
struct RandomEnvironment {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { generator.next() }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    static let pieces = [
        "", " ", "\t", "\n", "\r\n", "\u{2028}", "\u{85}", "$", "$$", "$X$", "$HOSTNAME$", "0", "00", "12345",
        "\\", "\\n", "\\\\", "\\\\n", "n", "PROBLEM", "RECOVERY", "ACKNOWLEDGEMENT", "FLAPPINGEND", "OK", "CRITICAL",
        "web01", "HTTP", "/", ":", "~", "é", "e\u{301}", "\u{301}", "👩‍👩‍👧", "🇫🇷", "\u{200D}", "\u{FEFF}",
        "\u{0}", "\u{7}", "\u{FFFD}", "ǅ", "ß", "İ", "日本語", "\u{10FFFF}", "\u{E000}", "+33612345678",
    ]

    mutating func scalar() -> Character {
        let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x300...0x36F, 0x800...0xD7FF, 0xE000...0xFFFF, 0x1_0000...0x10_FFFF]
        let range = ranges[below(ranges.count)]
        let value = range.lowerBound + UInt32(next() % UInt64(range.upperBound - range.lowerBound + 1))
        return Character(Unicode.Scalar(value) ?? "?")
    }

    mutating func string() -> String {
        if chance(1, in: 200) {
            let piece = Self.pieces[below(Self.pieces.count)]
            return String(repeating: piece.isEmpty ? "x" : piece, count: 20_000 + below(20_000))
        }
        var text = ""
        for _ in 0..<below(8) {
            if chance(1, in: 3) {
                text.append(scalar())
            } else {
                text += Self.pieces[below(Self.pieces.count)]
            }
        }
        return text
    }

    mutating func optional() -> String? { chance(1, in: 3) ? nil : string() }

    mutating func environment(names: [String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in names where chance(2, in: 3) {
            environment[name] = string()
        }
        if chance(1, in: 4) {
            environment[names[below(names.count)] + string()] = string()
        }
        return environment
    }

    mutating func flags() -> AlertInput.Flags {
        AlertInput.Flags(
            notificationType: optional(), host: optional(), hostState: optional(),
            service: optional(), serviceState: optional(), output: optional()
        )
    }

    /// What every decoded notification must hold, whatever the input.
    static func checkInvariants(_ notification: Notification, source: Alert.Source) {
        #expect(notification.source == source)
        #expect(notification.alerts.count == 1)
        guard let alert = notification.alerts.first else { return }
        #expect(alert.hasContent)
        #expect(notification.dedupKey == alert.dedupKey)
        let key = alert.dedupKey ?? ""
        // Byte-wise: a host starting with a combining mark joins the `:` into one Character.
        #expect(key.utf8.starts(with: "\(source.rawValue):".utf8))
        #expect(key.utf8.count <= 256)
        #expect(Set(notification.recipients).count == notification.recipients.count)
        let texts = [alert.notificationType, alert.host, alert.hostDisplayName, alert.hostAddress, alert.hostState,
                     alert.service, alert.serviceDisplayName, alert.serviceState, alert.output, alert.longOutput,
                     alert.author, alert.comment, alert.severity, alert.startsAt]
        #expect(!texts.contains(""))
        #expect(!notification.recipients.contains(""))
        #expect(alert.output.map { !$0.contains(where: \.isNewline) } ?? true)
    }
}
