import Testing

@testable import SMSText

@Suite struct GSM7Tests {
    @Test func basicTableCharactersTakeOneSeptet() {
        #expect(ReferenceCounter.basicTable.count == 128)
        for scalar in ReferenceCounter.basicTable where scalar != "\u{1B}" {
            #expect(GSM7.septets(for: scalar) == 1, "\(scalar.escaped(asASCII: true))")
        }
    }

    @Test(arguments: ["\u{0C}", "^", "{", "}", "[", "]", "~", "|", "\\", "€"] as [Unicode.Scalar])
    func extensionCharactersTakeTwoSeptets(scalar: Unicode.Scalar) {
        #expect(GSM7.septets(for: scalar) == 2)
        #expect(GSM7.isExtension(scalar))
        #expect(GSM7.canEncode(String(scalar)))
    }

    @Test func spotChecks() {
        #expect(GSM7.septets(for: "@") == 1)
        #expect(GSM7.septets(for: "€") == 2)
        #expect(GSM7.septets(for: "$") == 1)
        #expect(GSM7.septets(for: "_") == 1)
        #expect(GSM7.septets(for: "\n") == 1)
        #expect(GSM7.septets(for: "\r") == 1)
        #expect(GSM7.septets(for: " ") == 1)
        #expect(GSM7.septets(for: "`") == nil)
        #expect(GSM7.septets(for: "\u{1B}") == nil)  // the escape code itself is not a character
        #expect(GSM7.septets(for: "\t") == nil)
        #expect(GSM7.septets(for: "ç") == nil)  // only the capital Ç is in the table
        #expect(GSM7.septets(for: "ê") == nil)
        #expect(GSM7.septets(for: "È") == nil)
        #expect(GSM7.septets(for: "…") == nil)
        #expect(GSM7.septets(for: "😀") == nil)
    }

    @Test(arguments: [
        "\u{0391}", "\u{0392}", "\u{0395}", "\u{0396}", "\u{0397}", "\u{0399}", "\u{039A}",
        "\u{039C}", "\u{039D}", "\u{039F}", "\u{03A1}", "\u{03A4}", "\u{03A5}", "\u{03A7}",
        "\u{03B1}", "\u{03C0}", "\u{2126}",
    ] as [Unicode.Scalar])
    func greekLookalikesAreNotGSM7(scalar: Unicode.Scalar) {
        #expect(GSM7.septets(for: scalar) == nil)
    }

    @Test func theOnlyGreekCapitalsAreTheListedOnes() {
        let greek = (0x0391...0x03A9).compactMap(Unicode.Scalar.init).filter { GSM7.canEncode($0) }
        #expect(String(String.UnicodeScalarView(greek)) == "ΓΔΘΛΞΠΣΦΨΩ")
    }

    /// Every scalar of the BMP and the first supplementary planes: encodable exactly when it is
    /// in the reference tables.
    @Test func exhaustiveAgainstReferenceTables() {
        var mismatches: [UInt32] = []
        for value in UInt32(0)...0x2FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected: Int? =
                ReferenceCounter.basic.contains(scalar) ? 1 : ReferenceCounter.extended.contains(scalar) ? 2 : nil
            if GSM7.septets(for: scalar) != expected { mismatches.append(value) }
        }
        #expect(mismatches.isEmpty)
        #expect(ReferenceCounter.basic.count + ReferenceCounter.extended.count == 137)
    }

    @Test func canEncodeTexts() {
        #expect(GSM7.canEncode(""))
        #expect(GSM7.canEncode("PROBLEM: db01/disk is CRITICAL @ 95% [a|b] 10€\n"))
        #expect(!GSM7.canEncode("l’alerte"))
        #expect(!GSM7.canEncode("e\u{301}"))  // decomposed é
        #expect(GSM7.canEncode("\u{E9}"))  // precomposed é
        #expect(!GSM7.canEncode("ok 👍"))
    }
}
