/// An independent, deliberately simple reimplementation of SMSPartner's counting rules, used to
/// check `SMSMessage.measure(as:)` and `SMSBudget` on random texts.
enum ReferenceCounter {
    /// The 128 positions of the GSM 03.38 basic table, in code order; 0x1B is the escape code.
    static let basicTable: [Unicode.Scalar] = Array(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    /// The characters of the extension table (form feed, ^ { } \ [ ~ ] | €).
    static let extensionTable: [Unicode.Scalar] = Array("\u{0C}^{}\\[~]|€".unicodeScalars)

    static let basic: Set<Unicode.Scalar> = Set(basicTable).subtracting(["\u{1B}"])
    static let extended: Set<Unicode.Scalar> = Set(extensionTable)

    static func isGSM7(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { basic.contains($0) || extended.contains($0) }
    }

    /// The indivisible pieces of `text` and their sizes in `ucs2` or GSM-7.
    static func atoms(_ text: String, ucs2: Bool) -> [Int] {
        text.unicodeScalars.map { scalar in
            if scalar == "\n" { return 2 }
            if ucs2 { return scalar.value > 0xFFFF ? 2 : 1 }
            return extended.contains(scalar) ? 2 : 1
        }
    }

    /// Units and segments of `text`.
    static func count(_ text: String, ucs2: Bool) -> (units: Int, segments: Int) {
        let atoms = atoms(text, ucs2: ucs2)
        let units = atoms.reduce(0, +)
        if units == 0 { return (0, 0) }
        if units <= (ucs2 ? 70 : 160) { return (units, 1) }
        let capacity = ucs2 ? 67 : 153
        var parts = 0
        var next = 0
        while next < atoms.count {
            parts += 1
            var room = capacity
            while next < atoms.count && atoms[next] <= room {
                room -= atoms[next]
                next += 1
            }
        }
        return (units, parts)
    }
}
