/// One request ``FakeSMSPartner`` makes to a URL of the account's (a `urlDlr` receipt, a reply):
/// fields in the query of a GET, or in a form or JSON POST body.
struct FakeCallbackRequest: Sendable, Equatable {
    /// `GET` or `POST`.
    let method: String
    /// The URL, with the fields in its query for a GET.
    let url: String
    /// The `Content-Type` of a POST body.
    let contentType: String?
    /// The body (empty for a GET).
    let body: String

    /// `GET` with `fields` in the query string (added to the URL's own query, if any).
    static func get(_ url: String, fields: [(String, String)]) -> FakeCallbackRequest {
        FakeCallbackRequest(method: "GET", url: url + (url.contains("?") ? "&" : "?") + form(fields), contentType: nil, body: "")
    }

    /// `POST` with `fields` in an `application/x-www-form-urlencoded` body.
    static func postForm(_ url: String, fields: [(String, String)]) -> FakeCallbackRequest {
        FakeCallbackRequest(method: "POST", url: url, contentType: "application/x-www-form-urlencoded", body: form(fields))
    }

    /// `POST` with an `application/json` object of `members`, whose values are JSON text already.
    static func postJSON(_ url: String, members: [(String, String)]) -> FakeCallbackRequest {
        let body = "{" + members.map { JSONText.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        return FakeCallbackRequest(method: "POST", url: url, contentType: "application/json", body: body)
    }

    /// `fields` form-encoded, in order, joined with `&`.
    static func form(_ fields: [(String, String)]) -> String {
        fields.map { formEncoded($0.0) + "=" + formEncoded($0.1) }.joined(separator: "&")
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

    /// `text` as a JSON number when it is a plain decimal integer (no sign, no leading zero),
    /// as a JSON string otherwise: how SMSPartner writes its ids.
    static func jsonID(_ text: String) -> String {
        let number = !text.isEmpty && !text.hasPrefix("0") && text.allSatisfy({ ("0"..."9").contains($0) })
        return number ? text : JSONText.quoted(text)
    }
}
