import Testing

@testable import SMSText

@Suite struct GSM7TransliteratorTests {
    private func transliterated(_ text: String) -> String {
        GSM7Transliterator.transliterate(text).text
    }

    @Test(arguments: [
        ("l’alerte ‘ok’ ‚x‛ ′ ´a` ʼ", "l'alerte 'ok' 'x' ' 'a' '"),
        ("“double” „low“ ‟x″", "\"double\" \"low\" \"x\""),
        ("«\u{A0}guillemets\u{A0}» «a»", "\" guillemets \" \"a\""),
        ("a – b — c − d ‐ e ‑ f ‒ g ― h", "a - b - c - d - e - f - g - h"),
        ("wait… ‥", "wait... .."),
        ("a\u{A0}b\u{202F}c\u{2009}d\u{2003}e\u{3000}f\tg", "a b c d e f g"),
        ("zero\u{200B}width\u{200C}\u{200D}\u{FEFF}\u{2060}soft\u{AD}hyphen", "zerowidthsofthyphen"),
        ("line\u{2028}para\u{2029}nel\u{85}end", "line\npara\nnel\nend"),
        ("âêîôû ëï ç áíóúý ãõ ā ē ī ō ū ł ń ś ź ż ą ę č ř š ž ő ű ť ď ľ ĺ", "aeiou ei c aiouy ao a e i o u l n s z z a e c r s z o u t d l l"),
        ("ÂÊÎÔÛ ËÏ Ÿ ÁÍÓÚÝ ÃÕ Ā Ł È À Ù Ì Ò Ç", "AEIOU EI Y AIOUY AO A L E A U I O Ç"),
        ("œuvre Œuvre", "oeuvre OEuvre"),
        ("Straße ẞ þ Þ ð Ð ı ŋ ĳ ǆ", "Straße SS th TH d D i n ij dz"),
        ("42°C 451°F 90° N° 5 n°7 cm° un°", "42C 451F 90deg No 5 no7 cmdeg undeg"),
        ("20℃ 68℉", "20C 68F"),
        ("• item ‣ sub ◦ x ∙ y · z", "- item - sub - x - y . z"),
        ("Brand™ ©2024 ®", "BrandTM (c)2024 (R)"),
        ("2×3 6÷2 ±1 a≤b a≥b a≠b a≈b", "2x3 6/2 +/-1 a<=b a>=b a!=b a~b"),
        ("a→b b←a a↔b a⇒b", "a->b b<-a a<->b a=>b"),
        ("½ ¼ ¾", "1/2 1/4 3/4"),
        ("x² y³ ① ٣ Ⅻ", "x2 y3 1 3 12"),
        ("5µs 3μs", "5us 3us"),
        ("1ª 2º", "1a 2o"),
        ("ＦＵＬＬ　ｗｉｄｔｈ！１２３", "FULL width!123"),
        ("disk 🔥 full 👨‍👩‍👧 🇫🇷 ✅ 👍🏽 ❤️", "disk  full     "),
        ("ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ", "ABΓΔEZHΘIKΛMNΞOΠPΣTYΦXΨΩ"),
        ("Привет", "??????"),
        ("東京", "??"),
        ("【x】「y」", "(x)(y)"),
        ("a`b", "a'b"),
        ("ˆ˜", "^~"),
        ("keycap 1️⃣", "keycap 1"),
        ("x\u{301}", "x"),
        ("\u{301}lone mark", "lone mark"),
    ])
    func table(input: String, expected: String) {
        let result = GSM7Transliterator.transliterate(input)
        #expect(result.text == expected)
        #expect(Array(result.text.unicodeScalars) == Array(expected.unicodeScalars))
        #expect(GSM7.canEncode(result.text))
    }

    @Test func gsm7CharactersAreKeptAsTheyAre() {
        let text = "éèùìòà ÇÉ äöüñ ÄÖÜÑ Åå Øø Ææ ß ΔΦΓΛΩΠΨΣΘΞ ¡¿ £¥¤§ @$_ {[~^|\\]} 10€\n\r\n"
        let result = GSM7Transliterator.transliterate(text)
        #expect(Array(result.text.unicodeScalars) == Array(text.unicodeScalars))
        #expect(result.replaced.isEmpty)
        #expect(!result.changed)
    }

    @Test func canonicalEquivalentsAreRecomposedSilently() {
        let result = GSM7Transliterator.transliterate("e\u{301}te\u{300} A\u{30A} \u{2126} \u{212A} \u{212B} n\u{303}")
        #expect(Array(result.text.unicodeScalars) == Array("\u{E9}t\u{E8} \u{C5} \u{3A9} K \u{C5} \u{F1}".unicodeScalars))
        #expect(result.replaced.isEmpty)
    }

    @Test func replacementsAreListed() {
        let result = GSM7Transliterator.transliterate("l’été “chaud” 🔥 ê")
        #expect(result.text == "l'été \"chaud\"  e")
        #expect(result.replaced == ["’": "'", "“": "\"", "”": "\"", "🔥": "", "ê": "e"])
        #expect(result.changed)
    }

    @Test func everyLatinLetterBecomesGSM7() {
        // Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional.
        let ranges: [ClosedRange<UInt32>] = [0xC0...0x24F, 0x1E00...0x1EFF]
        var unmapped: [String] = []
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value), scalar.properties.isAlphabetic else { continue }
                let result = transliterated(String(scalar))
                #expect(GSM7.canEncode(result))
                if result.contains("?") || result.isEmpty { unmapped.append(String(scalar)) }
            }
        }
        // A handful of phonetic letters have no base letter in their name.
        #expect(unmapped.count < 40, "\(unmapped)")
        #expect(!unmapped.contains("ê"))
    }

    @Test func mostlyLatin() {
        #expect(GSM7Transliterator.isMostlyLatin(""))
        #expect(GSM7Transliterator.isMostlyLatin("Disque plein sur db01 : 95 % utilisé, voir l’équipe"))
        #expect(GSM7Transliterator.isMostlyLatin("Café ΩΔ 🔥"))
        #expect(GSM7Transliterator.isMostlyLatin("latency 5μs, ratio 2π"))  // μ maps to u; one π
        #expect(GSM7Transliterator.isMostlyLatin("disk full on 東京"))
        #expect(!GSM7Transliterator.isMostlyLatin("Сервер недоступен"))
        #expect(!GSM7Transliterator.isMostlyLatin("disk full on /данные"))
        #expect(!GSM7Transliterator.isMostlyLatin("Ο διακομιστής δεν απαντά"))
        #expect(!GSM7Transliterator.isMostlyLatin("東京サーバー"))
        #expect(!GSM7Transliterator.isMostlyLatin("الخادم معطل"))
        #expect(GSM7Transliterator.isMostlyLatin("disk full on /данные", maxForeignCharacters: 6))
        #expect(GSM7Transliterator.foreignCharacterCount("a ж б 東 π μ") == 4)
    }
}
