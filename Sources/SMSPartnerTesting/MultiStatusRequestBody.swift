/// The JSON body of a `POST /v1/multi-status` request, as the fake decodes it: `apiKey` and
/// `SMSStatut_List`, a list of `{"phoneNumber":…,"messageId":…}` (the id a string or a number).
struct MultiStatusRequestBody: Decodable {
    /// One message to one number asked about.
    struct Item: Decodable {
        let phoneNumber: String?
        let messageId: String?

        private enum CodingKeys: String, CodingKey { case phoneNumber, messageId }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            phoneNumber = try? container.decodeIfPresent(String.self, forKey: .phoneNumber)
            messageId = (try? container.decodeIfPresent(String.self, forKey: .messageId))
                ?? (try? container.decodeIfPresent(Int.self, forKey: .messageId)).flatMap { $0.map(String.init) }
        }
    }

    let apiKey: String?
    let list: [Item]?

    private enum CodingKeys: String, CodingKey {
        case apiKey
        case list = "SMSStatut_List"
    }
}
