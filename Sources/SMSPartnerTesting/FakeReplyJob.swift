#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One reply a test makes a phone send (``FakeSMSPartner/reply(from:text:to:shape:messageID:)``),
/// as the requests the fake makes for it.
struct FakeReplyJob: Sendable {
    /// One request to make, and what it carries.
    struct Call: Sendable {
        let request: FakeCallbackRequest
        /// The whole text, or this part of it.
        let text: String
        /// Which part (from 1), for a reply in parts.
        let part: Int?
        let messageID: String?
    }

    let url: String
    let shape: FakeReplyShape
    /// The sender as the test wrote it.
    let phoneNumber: String
    let text: String
    /// The text as the shape cuts it, each piece with the message id its request carries.
    let pieces: [(text: String, messageID: String?)]
    /// The `concat-ref` of a reply in parts.
    let ref: String
    /// When the reply arrived at SMSPartner.
    let receivedAt: Date

    /// The text in the pieces `shape` cuts it into: `parts` pieces of nearly equal length for a
    /// reply in parts (the first ones one character longer), the whole text otherwise.
    static func pieces(of text: String, shape: FakeReplyShape) -> [String] {
        guard case .longNumberConcat(let parts) = shape else { return [text] }
        let characters = Array(text)
        let count = min(max(parts, 1), max(characters.count, 1))
        var pieces: [String] = []
        var start = 0
        for index in 0..<count {
            let length = characters.count / count + (index < characters.count % count ? 1 : 0)
            pieces.append(String(characters[start..<start + length]))
            start += length
        }
        return pieces
    }

    /// The requests, in the order they are made.
    var calls: [Call] {
        let sender = FakePhoneNumber.canonical(phoneNumber)
        guard shape != .shortNumberJSON else {
            let messageID = pieces.first?.messageID
            let type = text.split(whereSeparator: \.isWhitespace).first?.uppercased() == "STOP" ? "stop" : "response"
            let members = [("type", JSONText.quoted(type)), ("phone_number", JSONText.quoted(sender)), ("text", JSONText.quoted(text))]
                + (messageID.map { [("message_id", FakeCallbackRequest.jsonID($0))] } ?? [])
            return [Call(request: .postJSON(url, members: members), text: text, part: nil, messageID: messageID)]
        }
        let keyword = text.split(whereSeparator: \.isWhitespace).first.map { $0.uppercased() } ?? ""
        let timestamp = receivedAt.formatted(
            Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt)
                .year().month().day().time(includingFractionalSeconds: false))
        return pieces.enumerated().map { index, piece in
            var fields = [
                ("msisdn", sender.hasPrefix("+") ? String(sender.dropFirst()) : sender), ("to", FakeReplyShape.longNumber),
                ("messageId", piece.messageID ?? ""), ("text", piece.text), ("type", "text"), ("keyword", keyword),
                ("message-timestamp", timestamp),
            ]
            var part: Int?
            if case .longNumberConcat = shape {
                part = index + 1
                fields += [("concat", "true"), ("concat-ref", ref), ("concat-total", String(pieces.count)), ("concat-part", String(index + 1))]
            }
            let request: FakeCallbackRequest = shape == .longNumberGET ? .get(url, fields: fields) : .postForm(url, fields: fields)
            return Call(request: request, text: piece.text, part: part, messageID: piece.messageID)
        }
    }
}
