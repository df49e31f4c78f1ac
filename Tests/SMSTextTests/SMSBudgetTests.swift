import Testing

@testable import SMSText

@Suite struct SMSBudgetTests {
    private func repeating(_ text: String, _ count: Int) -> String {
        String(repeating: text, count: count)
    }

    private func truncate(_ text: String, segments: Int = 1) -> (message: SMSMessage, truncated: Bool) {
        SMSBudget(maxSegments: segments).truncate(SMSMessage(text))
    }

    @Test func defaultBudgetIsOneSegment() {
        #expect(SMSBudget().maxSegments == 1)
        #expect(SMSBudget(maxSegments: 0).effectiveMaxSegments == 1)
        #expect(SMSBudget(maxSegments: -3).effectiveMaxSegments == 1)
    }

    @Test func fits() {
        #expect(SMSBudget().fits(SMSMessage("")))
        #expect(SMSBudget().fits(SMSMessage(repeating("a", 160))))
        #expect(!SMSBudget().fits(SMSMessage(repeating("a", 161))))
        #expect(SMSBudget(maxSegments: 2).fits(SMSMessage(repeating("a", 306))))
        #expect(!SMSBudget(maxSegments: 2).fits(SMSMessage(repeating("a", 307))))
        #expect(!SMSBudget().fits(SMSMessage(repeating("ж", 71))))
        #expect(!SMSBudget(maxSegments: 0).fits(SMSMessage(repeating("a", 161))))
    }

    @Test func messageThatFitsIsUnchanged() {
        let message = SMSMessage(repeating("a", 160))
        let result = SMSBudget().truncate(message)
        #expect(result.message == message)
        #expect(result.truncated == false)
    }

    @Test(arguments: [(1, 157), (2, 303), (3, 456)])
    func gsm7HardCutKeepsWithinBudget(segments: Int, kept: Int) {
        let result = truncate(repeating("x", 600), segments: segments)
        #expect(result.truncated)
        #expect(result.message.text == repeating("x", kept) + "...")
        #expect(result.message.encoding == .gsm7)
        #expect(result.message.measure().segments == segments)
    }

    @Test(arguments: [(1, 69), (2, 133), (3, 200)])
    func ucs2HardCutKeepsWithinBudget(segments: Int, kept: Int) {
        let result = truncate(repeating("ж", 300), segments: segments)
        #expect(result.truncated)
        #expect(result.message.text == repeating("ж", kept) + "…")
        #expect(result.message.encoding == .ucs2)
        #expect(result.message.measure().segments == segments)
    }

    @Test func zeroSegmentsMeansOne() {
        #expect(truncate(repeating("x", 200), segments: 0).message.text == repeating("x", 157) + "...")
    }

    @Test func cutsAtWordBoundary() {
        // 157 characters fit before "..."; position 157 is inside a word, the last space before
        // it is at 154: cut there.
        let result = truncate(repeating("abcd ", 40))
        #expect(result.message.text == repeating("abcd ", 30) + "abcd...")
        #expect(result.message.measure().units == 157)
    }

    @Test func cutAtNaturalBoundaryTrimsWhitespace() {
        // The 157 kept characters end with spaces: they are trimmed before the mark.
        let text = repeating("a", 150) + "       " + repeating("b", 50)
        #expect(truncate(text).message.text == repeating("a", 150) + "...")
    }

    @Test func wordBoundaryOnlyInLastFifth() {
        // The only space is far from the cut: hard cut.
        let text = "ab " + repeating("c", 300)
        #expect(truncate(text).message.text == "ab " + repeating("c", 154) + "...")
    }

    @Test func cutsAtNewline() {
        let text = repeating("a", 140) + "\n" + repeating("b", 40)
        // The newline counts two: 140 + 2 + 40 = 182 units.
        let result = truncate(text)
        #expect(result.message.text == repeating("a", 140) + "...")
        #expect(result.message.platformText == repeating("a", 140) + "...")
    }

    @Test func extensionCharacterAtTheEdge() {
        // 156 + "€" (2) + "..." (3) = 161: the € does not fit.
        let text = repeating("a", 156) + "€€€€€"
        #expect(truncate(text).message.text == repeating("a", 156) + "...")
        // 155 + 2 + 3 = 160: it does.
        #expect(truncate(repeating("a", 155) + "€€€€€").message.text == repeating("a", 155) + "€...")
    }

    @Test func emojiIsNeverSplit() {
        // 67 + 2 + 1 = 70 units: the emoji fits with the mark.
        #expect(truncate(repeating("ж", 67) + "😀" + repeating("ж", 10)).message.text == repeating("ж", 67) + "😀…")
        // 68 + 2 + 1 = 71: it does not, and no half of it is kept.
        let result = truncate(repeating("ж", 68) + "😀" + repeating("ж", 10))
        #expect(result.message.text == repeating("ж", 68) + "…")
        #expect(result.message.measure().units == 69)
    }

    @Test func zwjFamilyIsNeverSplit() {
        let family = "👨‍👩‍👧"  // 8 UTF-16 units
        let result = truncate(repeating("ж", 62) + family + "жжж")
        // 62 + 8 + 1 = 71 > 70: the whole family goes.
        #expect(result.message.text == repeating("ж", 62) + "…")
        #expect(truncate(repeating("ж", 61) + family + "жжж").message.text == repeating("ж", 61) + family + "…")
    }

    @Test func combiningSequenceIsNeverSplit() {
        let decomposed = "e\u{301}"  // 2 units, 1 character
        let kept = truncate(repeating("ж", 67) + decomposed + repeating("ж", 5)).message.text
        #expect(Array(kept.unicodeScalars) == Array((repeating("ж", 67) + decomposed + "…").unicodeScalars))
        let cut = truncate(repeating("ж", 68) + decomposed + repeating("ж", 5)).message.text
        #expect(Array(cut.unicodeScalars) == Array((repeating("ж", 68) + "…").unicodeScalars))
    }

    @Test func ucs2TextStaysUcs2AfterCut() {
        // The only non-GSM-7 character is cut away; the mark "…" keeps it UCS-2, so the count
        // the cut was made with stays right.
        let result = truncate(repeating("a", 100) + "ж")
        #expect(result.message.text == repeating("a", 69) + "…")
        #expect(result.message.encoding == .ucs2)
        #expect(SMSBudget().fits(result.message))
    }

    @Test func gsm7ExtensionCharactersInMultipart() {
        // 76 "{" fill a part (152 septets, the 153rd cannot hold half of one); the mark
        // (3 septets) must share the second part: 76 + 75 "{" are kept.
        let result = truncate(repeating("{", 200), segments: 2)
        #expect(result.message.text == repeating("{", 151) + "...")
        #expect(result.message.measure() == SMSMeasurement(encoding: .gsm7, units: 305, characters: 154, segments: 2))
    }

    // MARK: - SMSTruncator building blocks

    @Test func truncatorWithClosure() {
        let result = SMSTruncator.truncate("the quick brown fox jumps", mark: "...") { $0.count <= 18 }
        #expect(result.text == "the quick brown...")
        #expect(result.truncated)
        let unchanged = SMSTruncator.truncate("short", mark: "...") { $0.count <= 18 }
        #expect(unchanged.text == "short")
        #expect(unchanged.truncated == false)
        let impossible = SMSTruncator.truncate("short", mark: "...") { $0.count <= 2 }
        #expect(impossible.text == "")
        #expect(impossible.truncated)
    }

    @Test func truncatorForAFieldInATemplate() {
        let template = { (output: String) in "PROBLEM db01 disk CRITICAL: " + output + " (since 10:42)" }
        let output = repeating("very long plugin output ", 20)
        let budget = SMSBudget()
        let field = SMSTruncator.truncate(output, mark: "...") { budget.fits(SMSMessage(template($0))) }
        #expect(field.truncated)
        let message = SMSMessage(template(field.text))
        #expect(budget.fits(message))
        #expect(message.measure().units >= 150)  // the cut keeps most of the room
        #expect(field.text.hasSuffix(" plugin..."))
    }

    @Test func truncatorToFitUnits() {
        #expect(SMSTruncator.truncate("hello world foo", toFit: 10, encoding: .gsm7) == ("hello w...", true))
        #expect(SMSTruncator.truncate("hello world foo", toFit: 15, encoding: .gsm7) == ("hello world foo", false))
        #expect(SMSTruncator.truncate("hello world", toFit: 9, encoding: .ucs2) == ("hello wo…", true))
        #expect(SMSTruncator.truncate("hello", toFit: 2, encoding: .gsm7) == ("", true))
        #expect(SMSTruncator.truncate("ab\ncd", toFit: 4, encoding: .gsm7, mark: "") == ("ab", true))
    }

    @Test func truncatorNeverLeavesALoneCarriageReturn() {
        let result = SMSTruncator.truncate("aaaa\r\nbbbbbbbb", toFit: 8, encoding: .gsm7)
        #expect(result.text == "aaaa...")
        #expect(!result.text.unicodeScalars.contains("\r"))
    }

    @Test func truncatorToFitSegments() {
        let result = SMSTruncator.truncate(repeating("ab ", 100), toFitSegments: 1, encoding: .gsm7)
        #expect(result.text == repeating("ab ", 51) + "ab...")
        #expect(SMSMessage(result.text).measure().units == 158)
    }
}

/// A budget that keeps room for a suffix added later (the reply code of two-way paging).
@Suite struct SMSBudgetReservedTests {
    @Test func reservedUnitsAreKeptFreeInEitherEncoding() {
        let budget = SMSBudget(maxSegments: 1, reserved: 7)
        #expect(budget.fits(SMSMessage(String(repeating: "a", count: 153))))
        #expect(!budget.fits(SMSMessage(String(repeating: "a", count: 154))))
        #expect(budget.fits(SMSMessage(String(repeating: "é", count: 63) + "€")), "UCS-2: 70 - 7")
        #expect(!budget.fits(SMSMessage(String(repeating: "ж", count: 64))))
    }

    @Test func aCutLeavesTheRoomAndTheSuffixThenFits() {
        for (text, reserved) in [(String(repeating: "disk full ", count: 40), 7), (String(repeating: "ж", count: 200), 7)] {
            let budget = SMSBudget(maxSegments: 1, reserved: reserved)
            let (cut, truncated) = budget.truncate(SMSMessage(text))
            #expect(truncated)
            #expect(budget.fits(cut))
            #expect(SMSBudget(maxSegments: 1).fits(SMSMessage(cut.text + " ack:4F")), "\(cut.text)")
            #expect(!SMSBudget(maxSegments: 1).fits(SMSMessage(cut.text + " ack:4F!!")), "no more cut than needed: \(cut.text)")
        }
    }

    @Test func noReserveIsTheOldBudget() {
        #expect(SMSBudget(maxSegments: 2, reserved: 0) == SMSBudget(maxSegments: 2))
        let text = String(repeating: "a", count: 400)
        #expect(SMSBudget(maxSegments: 2, reserved: 0).truncate(SMSMessage(text)) == SMSBudget(maxSegments: 2).truncate(SMSMessage(text)))
    }
}
