import Testing

@testable import SMSText

@Suite struct SMSMessageTests {
    private func measure(_ text: String, as encoding: SMSEncoding? = nil) -> SMSMeasurement {
        SMSMessage(text).measure(as: encoding)
    }

    private func repeating(_ text: String, _ count: Int) -> String {
        String(repeating: text, count: count)
    }

    @Test func emptyTextIsZeroUnitsAndZeroSegments() {
        let message = SMSMessage("")
        #expect(message.encoding == .gsm7)
        #expect(message.measure() == SMSMeasurement(encoding: .gsm7, units: 0, characters: 0, segments: 0))
        #expect(message.measure(as: .ucs2) == SMSMeasurement(encoding: .ucs2, units: 0, characters: 0, segments: 0))
    }

    @Test func encodingDetection() {
        #expect(SMSMessage("PROBLEM db01 CRITICAL").encoding == .gsm7)
        #expect(SMSMessage("10€ {x}").encoding == .gsm7)
        #expect(SMSMessage("l’alerte").encoding == .ucs2)
        #expect(SMSMessage("ok 👍").encoding == .ucs2)
        #expect(SMSMessage("e\u{301}").encoding == .ucs2)
    }

    @Test(arguments: [
        (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4), (1, 1),
    ])
    func gsm7Boundaries(length: Int, segments: Int) {
        let measurement = measure(repeating("a", length))
        #expect(measurement == SMSMeasurement(encoding: .gsm7, units: length, characters: length, segments: segments))
    }

    @Test(arguments: [
        (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4),
    ])
    func ucs2Boundaries(length: Int, segments: Int) {
        let measurement = measure(repeating("ж", length))
        #expect(measurement == SMSMeasurement(encoding: .ucs2, units: length, characters: length, segments: segments))
    }

    @Test func extensionCharactersCountTwo() {
        #expect(measure("[x]") == SMSMeasurement(encoding: .gsm7, units: 5, characters: 3, segments: 1))
        #expect(measure(repeating("€", 80)).segments == 1)  // 160 septets
        #expect(measure(repeating("€", 81)) == SMSMeasurement(encoding: .gsm7, units: 162, characters: 81, segments: 2))
        #expect(measure(repeating("a", 159) + "€").segments == 2)  // 161 septets
    }

    @Test func extensionCharacterIsNotSplitAcrossParts() {
        // 152 + 2 + 152 = 306 septets: 2 parts of 153 by arithmetic, but the € cannot be split,
        // so part one holds 152, part two 2 + 151, part three the last "a".
        let text = repeating("a", 152) + "€" + repeating("a", 152)
        #expect(measure(text) == SMSMeasurement(encoding: .gsm7, units: 306, characters: 305, segments: 3))
        // 153 + 2 + 151 = 306: the € starts part two, which it fills exactly.
        #expect(measure(repeating("a", 153) + "€" + repeating("a", 151)).segments == 2)
        // Two extension characters per part, in step with the boundaries.
        #expect(measure(repeating("a", 151) + "^" + repeating("a", 151) + "|").segments == 2)
    }

    @Test func surrogatePairIsNotSplitAcrossParts() {
        let emoji = "😀"
        #expect(measure(emoji) == SMSMeasurement(encoding: .ucs2, units: 2, characters: 1, segments: 1))
        #expect(measure(repeating(emoji, 35)).segments == 1)  // 70 units
        #expect(measure(repeating(emoji, 36)).segments == 2)  // 72 units
        // 66 + 2 + 66 = 134 units: the pair cannot straddle the boundary after unit 67.
        let text = repeating("ж", 66) + emoji + repeating("ж", 66)
        #expect(measure(text) == SMSMeasurement(encoding: .ucs2, units: 134, characters: 133, segments: 3))
        #expect(measure(repeating("ж", 67) + emoji + repeating("ж", 65)).segments == 2)
    }

    @Test func graphemeClustersCountAsOneCharacter() {
        let family = "👨‍👩‍👧"  // man ZWJ woman ZWJ girl
        #expect(measure(family) == SMSMeasurement(encoding: .ucs2, units: 8, characters: 1, segments: 1))
        #expect(measure("e\u{301}") == SMSMeasurement(encoding: .ucs2, units: 2, characters: 1, segments: 1))
        #expect(measure("🇫🇷") == SMSMeasurement(encoding: .ucs2, units: 4, characters: 1, segments: 1))
    }

    @Test func newlinesCountTwoAndBecomeBrTokens() {
        let message = SMSMessage("PROBLEM\nhost db01")
        #expect(message.platformText == "PROBLEM:br:host db01")
        #expect(message.measure() == SMSMeasurement(encoding: .gsm7, units: 18, characters: 17, segments: 1))
        #expect(SMSMessage("ж\n").measure() == SMSMeasurement(encoding: .ucs2, units: 3, characters: 2, segments: 1))
        #expect(measure(repeating("\n", 80)).segments == 1)
        #expect(measure(repeating("\n", 80) + "a") == SMSMeasurement(encoding: .gsm7, units: 161, characters: 81, segments: 2))
    }

    @Test func euroBecomesEuroToken() {
        let message = SMSMessage("cost 5€\nok")
        #expect(message.platformText == "cost 5:euro::br:ok")
        // "cost 5" 6 + "€" 2 + newline 2 + "ok" 2.
        #expect(message.measure() == SMSMeasurement(encoding: .gsm7, units: 12, characters: 10, segments: 1))
        // In UCS-2 the euro sign is one unit.
        #expect(SMSMessage("5€ ж").measure() == SMSMeasurement(encoding: .ucs2, units: 4, characters: 4, segments: 1))
        #expect(SMSMessage("5€").measure(as: .ucs2).units == 2)
    }

    @Test func platformTextLeavesOtherCharactersAlone() {
        #expect(SMSMessage("a:b [c] 😀").platformText == "a:b [c] 😀")
        #expect(SMSMessage("").platformText == "")
    }

    @Test func newlinesAreNormalized() {
        let message = SMSMessage("a\r\nb\rc\n\rd\r\r\ne")
        #expect(message.text == "a\nb\nc\n\nd\n\ne")
        #expect(Array(message.text.unicodeScalars) == Array("a\nb\nc\n\nd\n\ne".unicodeScalars))
        #expect(message.platformText == "a:br:b:br:c:br::br:d:br::br:e")
        #expect(SMSMessage("x\r").text == "x\n")
    }

    @Test func measuringInTheOtherEncoding() {
        #expect(measure("abc", as: .ucs2) == SMSMeasurement(encoding: .ucs2, units: 3, characters: 3, segments: 1))
        #expect(measure("{ж}", as: .gsm7) == SMSMeasurement(encoding: .gsm7, units: 5, characters: 3, segments: 1))
        #expect(measure(repeating("a", 71)).segments == 1)
        #expect(measure(repeating("a", 71), as: .ucs2).segments == 2)
    }

    @Test func equalityIsByScalars() {
        #expect(SMSMessage("\u{E9}") != SMSMessage("e\u{301}"))
        #expect(SMSMessage("a\r\nb") == SMSMessage("a\nb"))
    }

    @Test func encodingCapacities() {
        #expect(SMSEncoding.gsm7.singleSegmentCapacity == 160)
        #expect(SMSEncoding.gsm7.multipartSegmentCapacity == 153)
        #expect(SMSEncoding.ucs2.singleSegmentCapacity == 70)
        #expect(SMSEncoding.ucs2.multipartSegmentCapacity == 67)
        #expect(SMSEncoding.gsm7.truncationMark == "...")
        #expect(SMSEncoding.ucs2.truncationMark == "…")
        #expect(SMSEncoding(rawValue: "ucs2") == .ucs2)
    }
}
