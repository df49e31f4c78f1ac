import SeededRandom
import Testing

@testable import SMSText

/// Seeded random texts through the whole pipeline: nothing traps, every truncated message fits
/// its budget, and `measure()` agrees with `ReferenceCounter`.
@Suite struct PropertyTests {
    /// Fragments a random text is built from: ASCII, GSM-7 extension characters, accented
    /// letters in and out of GSM-7, emoji (with surrogate pairs, skin tones, ZWJ sequences,
    /// flags), combining marks, every kind of newline, CJK, Cyrillic, Greek, invisible
    /// characters.
    static let fragments: [String] = [
        "a", "b", "Z", "0", "7", " ", " ", " ", "-", ".", ":", "/", "%", "@", "_", "`",
        "word", "disk", "CRITICAL ", "db01 ",
        "^", "{", "}", "[", "]", "~", "|", "\\", "€", "\u{0C}",
        "é", "è", "à", "Ç", "ß", "Å", "ê", "ç", "ô", "œ", "ł", "È",
        "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "1️⃣",
        "\u{200D}", "\u{301}", "e\u{301}", "a\u{308}\u{301}", "\u{FE0F}",
        "\n", "\r\n", "\r", "\n\n",
        "東", "京", "ж", "Ω", "α", "Α",
        "\u{A0}", "\u{200B}", "’", "“", "…", "°", "–", "\t",
    ]

    static func randomText(using generator: inout SplitMix64) -> String {
        let length = Int.random(in: 0...120, using: &generator)
        var text = ""
        for _ in 0..<length {
            text += fragments[Int.random(in: 0..<fragments.count, using: &generator)]
        }
        return text
    }

    @Test func truncateAlwaysFitsAndMeasureMatchesReference() {
        var generator = SplitMix64(seed: 0x5EED_0001)
        var truncatedCount = 0
        var multiSegmentCount = 0
        for iteration in 0..<10_000 {
            let text = Self.randomText(using: &generator)
            let message = SMSMessage(text)
            let isUCS2 = message.encoding == .ucs2
            #expect(isUCS2 == !ReferenceCounter.isGSM7(message.text))

            // measure() against the reference, in both encodings.
            for ucs2 in [false, true] {
                let reference = ReferenceCounter.count(message.text, ucs2: ucs2)
                let measured = message.measure(as: ucs2 ? .ucs2 : .gsm7)
                if measured.units != reference.units || measured.segments != reference.segments
                    || measured.characters != Array(message.text).count
                {
                    Issue.record("iteration \(iteration): \(measured) vs \(reference) for \(message.text.debugDescription)")
                    return
                }
            }
            if message.measure().segments > 1 { multiSegmentCount += 1 }

            let segments = Int.random(in: 1...3, using: &generator)
            let budget = SMSBudget(maxSegments: segments)
            let (result, truncated) = budget.truncate(message)
            let reference = ReferenceCounter.count(result.text, ucs2: isUCS2)
            let keptText: String
            if truncated {
                truncatedCount += 1
                let mark = isUCS2 ? "…" : "..."
                guard result.text.hasSuffix(mark) else {
                    Issue.record("iteration \(iteration): no mark in \(result.text.debugDescription)")
                    return
                }
                keptText = String(result.text.unicodeScalars.dropLast(mark.unicodeScalars.count))
            } else {
                keptText = result.text
            }
            let kept = Array(keptText)
            let ok =
                reference.segments <= segments
                && result.encoding == message.encoding
                && truncated == (ReferenceCounter.count(message.text, ucs2: isUCS2).segments > segments)
                && Array(message.text).starts(with: kept)
                && keptText.unicodeScalars.elementsEqual(message.text.unicodeScalars.prefix(keptText.unicodeScalars.count))
                && (!truncated || !(kept.last?.isWhitespace ?? false))
            if !ok {
                Issue.record("iteration \(iteration): budget \(segments), \(message.text.debugDescription) → \(result.text.debugDescription)")
                return
            }
        }
        // The generator must exercise the interesting cases.
        #expect(truncatedCount > 2_000)
        #expect(multiSegmentCount > 2_000)
    }

    @Test func transliterationAlwaysGivesGSM7() {
        var generator = SplitMix64(seed: 0x5EED_0002)
        for iteration in 0..<3_000 {
            let text = Self.randomText(using: &generator)
            let result = GSM7Transliterator.transliterate(text)
            if !GSM7.canEncode(result.text) {
                Issue.record("iteration \(iteration): \(text.debugDescription) → \(result.text.debugDescription)")
                return
            }
            if GSM7.canEncode(text) && !result.text.unicodeScalars.elementsEqual(text.unicodeScalars) {
                Issue.record("iteration \(iteration): GSM-7 text changed: \(text.debugDescription)")
                return
            }
        }
    }

    static let phonePrefixes = ["+", "+", "00", "0", "", "+33 ", "+33 (0)", "0033", "(0)", "+0", " "]
    static let phoneSeparators = ["", "", "", " ", ".", "-", "/", "(", ")", "\u{A0}", "+"]
    static let phoneNoise = ["a", "#", "٣", "é", "😀", ",", ";", "(0)", "\t", "*"]

    /// A mostly plausible phone number: a prefix, digits with separators, sometimes noise.
    static func randomPhoneInput(using generator: inout SplitMix64) -> String {
        var input = phonePrefixes[Int.random(in: 0..<phonePrefixes.count, using: &generator)]
        let digits = Int.random(in: 0...17, using: &generator)
        for _ in 0..<digits {
            input += String(Int.random(in: 0...9, using: &generator))
            if Int.random(in: 0..<4, using: &generator) == 0 {
                input += phoneSeparators[Int.random(in: 0..<phoneSeparators.count, using: &generator)]
            }
            if Int.random(in: 0..<40, using: &generator) == 0 {
                input += phoneNoise[Int.random(in: 0..<phoneNoise.count, using: &generator)]
            }
        }
        return input
    }

    @Test func phoneParsingNeverTraps() {
        var generator = SplitMix64(seed: 0x5EED_0003)
        var accepted = 0
        for iteration in 0..<10_000 {
            let input = Self.randomPhoneInput(using: &generator)
            do throws(PhoneNumberError) {
                let number = try PhoneNumber(parsing: input)
                accepted += 1
                let digits = number.e164.dropFirst()
                let valid =
                    number.e164.hasPrefix("+") && (8...15).contains(digits.count)
                    && digits.allSatisfy(\.isASCIIDigit) && digits.first != "0"
                    && (try? PhoneNumber(parsing: number.e164)) == number
                if !valid {
                    Issue.record("iteration \(iteration): \(input.debugDescription) → \(number.e164)")
                    return
                }
            } catch {
                if error.description.isEmpty {
                    Issue.record("iteration \(iteration): empty message")
                    return
                }
            }
            _ = try? PhoneNumber.parseList(input)
            if iteration % 5 == 0 {
                // Arbitrary text, not number-like at all.
                let text = Self.randomText(using: &generator)
                _ = try? PhoneNumber(parsing: text)
                _ = try? PhoneNumber.parseList(text)
            }
        }
        #expect(accepted > 500)
        #expect(accepted < 9_000)
    }
}
