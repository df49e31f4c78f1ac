import SMSText
import Testing

@Suite struct DisplayEscapingTests {
    @Test func keepsPlainText() {
        #expect("web01 CRITICAL: disk 97% \\ C:\\temp é ü 你好 😀".displayEscaped == "web01 CRITICAL: disk 97% \\ C:\\temp é ü 你好 😀")
        #expect(DisplayEscaping.isSafe("web01 OK"))
    }

    @Test func escapesLineBreaksAndControls() {
        #expect("a\nsent: +33600000099".displayEscaped == "a\\nsent: +33600000099")
        #expect("a\r\tb\u{0}c\u{7F}".displayEscaped == "a\\r\\tb\\x00c\\x7F")
        #expect("\u{1B}]0;owned\u{07}".displayEscaped == "\\x1B]0;owned\\x07")
        #expect(!DisplayEscaping.isSafe("a\nb"))
    }

    @Test func escapesC1SeparatorsAndBidi() {
        #expect("x\u{9B}31m".displayEscaped == "x\\u{009B}31m")
        #expect("x\u{85}y\u{2028}z\u{2029}".displayEscaped == "x\\u{0085}y\\u{2028}z\\u{2029}")
        #expect("abc\u{202E}fed".displayEscaped == "abc\\u{202E}fed")
        #expect("\u{2066}x\u{2069}".displayEscaped == "\\u{2066}x\\u{2069}")
        #expect("a\u{200F}b\u{061C}".displayEscaped == "a\\u{200F}b\\u{061C}")
    }

    @Test func resultNeverHoldsAControlCharacter() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &generator)
            var text = String.UnicodeScalarView()
            for _ in 0..<length {
                let value = Bool.random(using: &generator) ? UInt32.random(in: 0..<0x100, using: &generator) : UInt32.random(in: 0..<0x3000, using: &generator)
                if let scalar = Unicode.Scalar(value) { text.append(scalar) }
            }
            let escaped = String(text).displayEscaped
            #expect(DisplayEscaping.isSafe(escaped))
            #expect(escaped.displayEscaped == escaped)
        }
    }
}
