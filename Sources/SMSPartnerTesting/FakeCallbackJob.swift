/// One `urlDlr` call the fake decided to make, for one number of an accepted send.
struct FakeCallbackJob: Sendable {
    let url: String
    let style: FakeCallbackStyle
    /// How long after the send it is made.
    let delay: Duration
    let messageID: String
    /// The number as the send wrote it.
    let phoneNumber: String
    /// The number's scripted final outcome.
    let status: FakeDeliveryStatus

    /// The fields, in order: `messageId`, `phoneNumber`, `status`, and `stopSms` for `.stop`.
    private var fields: [(String, String)] {
        [("messageId", messageID), ("phoneNumber", phoneNumber), ("status", status.text)]
            + (status.stopSms ? [("stopSms", "1")] : [])
    }

    /// The request: method, URL, content type and body.
    var request: (method: String, url: String, contentType: String?, body: String) {
        let form = fields.map { Self.formEncoded($0.0) + "=" + Self.formEncoded($0.1) }.joined(separator: "&")
        switch style {
        case .get:
            return ("GET", url + (url.contains("?") ? "&" : "?") + form, nil, "")
        case .postForm:
            return ("POST", url, "application/x-www-form-urlencoded", form)
        case .postJSON:
            let members = fields.map { name, value in
                let number = name == "messageId" && !value.isEmpty && !value.hasPrefix("0")
                    && value.allSatisfy({ ("0"..."9").contains($0) })
                return JSONText.quoted(name) + ":" + (number ? value : name == "stopSms" ? "true" : JSONText.quoted(value))
            }
            return ("POST", url, "application/json", "{" + members.joined(separator: ",") + "}")
        }
    }

    /// Form encoding: unreserved characters kept, a space as `+`, the rest percent-encoded.
    static func formEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
