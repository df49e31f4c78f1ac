/// How the fake compares numbers written in different forms.
enum FakePhoneNumber {
    /// One form for every way SMSPartner takes or writes a number: `+33600000001` for
    /// `+33600000001`, `0600000001`, `0033600000001` and `33600000001`; spaces, dots and
    /// dashes ignored. Anything else is returned as written, without those separators.
    static func canonical(_ number: String) -> String {
        let compact = String(number.unicodeScalars.filter { $0 != " " && $0 != "." && $0 != "-" })
        let digits = compact.hasPrefix("+") ? String(compact.dropFirst()) : compact
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return compact }
        if compact.hasPrefix("+") { return compact }
        if digits.hasPrefix("00") { return "+" + digits.dropFirst(2) }
        if digits.hasPrefix("0"), digits.count == 10 { return "+33" + digits.dropFirst() }
        return "+" + digits
    }
}
