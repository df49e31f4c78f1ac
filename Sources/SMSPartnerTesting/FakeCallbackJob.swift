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
    var request: FakeCallbackRequest {
        switch style {
        case .get:
            return .get(url, fields: fields)
        case .postForm:
            return .postForm(url, fields: fields)
        case .postJSON:
            let members = fields.map { name, value in
                (name, name == "messageId" ? FakeCallbackRequest.jsonID(value) : name == "stopSms" ? "true" : JSONText.quoted(value))
            }
            return .postJSON(url, members: members)
        }
    }
}
