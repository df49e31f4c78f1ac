/// Hand-built JSON fragments, so replies keep the field order of the real API.
enum JSONText {
    /// `text` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `thousandths / 1000` as a decimal with trailing zeros trimmed (at least one decimal):
    /// 45 → `0.045`, 900 → `0.9`, 9000 → `9.0`.
    static func decimal(thousandths: Int) -> String {
        var fraction = fixed3(thousandths).split(separator: ".").last.map(String.init) ?? "0"
        while fraction.count > 1, fraction.hasSuffix("0") { fraction.removeLast() }
        let whole = fixed3(thousandths).split(separator: ".").first.map(String.init) ?? "0"
        return "\(whole).\(fraction)"
    }

    /// `thousandths / 1000` with exactly three decimals: 45000 → `45.000`.
    static func fixed3(_ thousandths: Int) -> String {
        let magnitude = thousandths.magnitude
        let fraction = String(magnitude % 1000)
        return (thousandths < 0 ? "-" : "") + "\(magnitude / 1000)."
            + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
