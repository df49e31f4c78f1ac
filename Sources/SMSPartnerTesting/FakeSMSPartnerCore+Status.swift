#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `GET /v1/message-status` and `POST /v1/multi-status`: what became of the messages the fake
/// accepted, number by number, from each number's script.
extension FakeSMSPartnerCore {
    /// The most entries one `POST /v1/multi-status` may ask about.
    static let maxStatusQueries = 500
    /// The `date` of every status entry.
    static let statusDate = "2025-12-01 12:00:00"

    func scriptDelivery(to phoneNumber: String, _ outcomes: [FakeDeliveryStatus]) {
        let key = FakePhoneNumber.canonical(phoneNumber)
        state.withLock {
            $0.deliveryScripts[key] = outcomes
            $0.deliveryPositions[key] = 0
        }
    }

    func setDefaultDeliveryStatus(_ status: FakeDeliveryStatus) {
        state.withLock { $0.defaultDeliveryStatus = status }
    }

    func failStatusQueries(_ count: Int) {
        state.withLock { $0.failingStatusQueries = count }
    }

    func removeMultiStatus(_ removed: Bool) {
        state.withLock { $0.multiStatusRemoved = removed }
    }

    /// The number's status for this query: the next step of its script, staying on the last.
    func nextStatus(of number: String, state: inout State) -> FakeDeliveryStatus {
        let key = FakePhoneNumber.canonical(number)
        guard let script = state.deliveryScripts[key], let last = script.last else { return state.defaultDeliveryStatus }
        let position = state.deliveryPositions[key] ?? 0
        state.deliveryPositions[key] = position + 1
        return position < script.count ? script[position] : last
    }

    /// What the number's script ends on (what its `urlDlr` callback reports).
    func finalStatus(of number: String, state: State) -> FakeDeliveryStatus {
        state.deliveryScripts[FakePhoneNumber.canonical(number)]?.last ?? state.defaultDeliveryStatus
    }

    /// Whether the fake accepted message `messageID` for `number` (in any written form).
    private func accepted(_ messageID: String, to number: String, state: State) -> Bool {
        state.acceptedNumbers[messageID]?.contains(FakePhoneNumber.canonical(number)) == true
    }

    /// An HTTP 503 while ``failStatusQueries(_:)`` says so.
    private func failingStatusQuery(state: inout State) -> (FakeAction, String)? {
        guard state.failingStatusQueries > 0 else { return nil }
        state.failingStatusQueries -= 1
        return (.respond(FakeResponse(status: 503, contentType: "text/html", body: "<html>503 Service Unavailable</html>")), "status http 503")
    }

    /// `GET /v1/message-status?apiKey=…&messageId=…&phoneNumber=…`: the documented top-level
    /// `number`, `messageId`, `statut`, `date`, `stopSms`; code 2 without a number, code 9
    /// without a message id, code 4 (HTTP 400) for a message the fake did not accept for that number.
    func decideMessageStatus(_ request: RecordedRequest, state: inout State) -> (FakeAction, String) {
        if let failure = SendValidator.checkAPIKey(request.query["apiKey"], expected: apiKey) {
            return (.respond(.json(400, failure.error.json)), failure.summary)
        }
        if let failing = failingStatusQuery(state: &state) { return failing }
        guard let number = request.query["phoneNumber"], !number.isEmpty else {
            return (.respond(.json(400, FakeAPIError.standard(code: 2).json)), "status: error 2 (phoneNumber missing)")
        }
        guard let messageID = request.query["messageId"], !messageID.isEmpty else {
            let error = FakeAPIError.constraints([.init(elementId: "children[messageId].data", message: "L'identifiant du message est obligatoire")])
            return (.respond(.json(400, error.json)), "status: error 9 (messageId missing)")
        }
        guard accepted(messageID, to: number, state: state) else {
            return (.respond(.json(400, FakeAPIError.standard(code: 4).json)), "status \(messageID) \(number): not found")
        }
        let status = nextStatus(of: number, state: &state)
        let json = #"{"success":true,"code":200,"number":"# + JSONText.quoted(number) + #","messageId":"# + JSONText.quoted(messageID)
            + #","stopSms":\#(status.stopSms),"date":"\#(Self.statusDate)","statut":"# + JSONText.quoted(status.text)
            + #","cost":0.045,"countryCode":"FR","currency":"EUR"}"#
        return (.respond(.json(200, json)), "status \(messageID) \(number): \(status.text)")
    }

    /// `POST /v1/multi-status`: one entry per asked message and number, in order; an entry the
    /// fake did not accept is `{"phoneNumber":…,"messageId":…,"success":false,"code":4,"message":…}`
    /// inside a successful reply. Code 9 for an empty list or more than ``maxStatusQueries``.
    func decideMultiStatus(_ request: RecordedRequest, state: inout State) -> (FakeAction, String) {
        if state.multiStatusRemoved {
            return (.respond(.httpError(404, "Route introuvable")), "http 404 (multi-status removed)")
        }
        if let refusal = refuseUnlessJSON(request) { return refusal }
        guard let body = try? JSONDecoder().decode(MultiStatusRequestBody.self, from: Data(request.body)) else {
            return (.respond(.httpError(400, "Le corps de la requête n'est pas un objet JSON valide")), "http 400 (body is not a valid JSON object)")
        }
        if let failure = SendValidator.checkAPIKey(body.apiKey, expected: apiKey) {
            return (.respond(.json(400, failure.error.json)), failure.summary)
        }
        if let failing = failingStatusQuery(state: &state) { return failing }
        let list = body.list ?? []
        guard !list.isEmpty, list.count <= Self.maxStatusQueries else {
            let message = list.isEmpty
                ? "La liste SMSStatut_List est obligatoire"
                : "Vous ne pouvez pas demander plus de \(Self.maxStatusQueries) statuts par requête"
            let error = FakeAPIError.constraints([.init(elementId: "children[SMSStatut_List].data", message: message)])
            return (.respond(.json(400, error.json)), "multi-status: error 9 (\(list.count) entries)")
        }
        var found = 0
        let entries = list.map { item in
            let head = #"{"phoneNumber":"# + JSONText.quoted(item.phoneNumber ?? "") + #","messageId":"# + JSONText.quoted(item.messageId ?? "")
            guard let number = item.phoneNumber, let messageID = item.messageId, accepted(messageID, to: number, state: state) else {
                return head + #","success":false,"code":4,"message":"Message introuvable"}"#
            }
            found += 1
            let status = nextStatus(of: number, state: &state)
            return head + #","status":"# + JSONText.quoted(status.text) + #","date":"\#(Self.statusDate)","stopSms":\#(status.stopSms)}"#
        }
        let json = #"{"success":true,"code":200,"StatutResponse_List":["# + entries.joined(separator: ",") + "]}"
        return (.respond(.json(200, json)), "multi-status: \(list.count) entries, \(found) found")
    }
}
