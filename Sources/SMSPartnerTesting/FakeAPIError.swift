/// A `{"success":false,…}` reply of the SMSPartner API, as the fake renders it.
struct FakeAPIError: Sendable, Equatable {
    /// One entry of the `errors` array of a code 9 reply.
    struct FieldError: Sendable, Equatable {
        /// The offending field, e.g. `children[phoneNumbers].data`.
        let elementId: String
        /// The French message shown to the user.
        let message: String
    }

    /// The API's `code` (1, 2, 4, 9, 10, 11, 14, 20, 30, 40, 52, 96, 500 …).
    let code: Int
    /// The `message` string, for codes that carry one.
    let message: String?
    /// The `errors` array, for code 9.
    let errors: [FieldError]

    /// The documented reply for `code`, with its usual French message or `errors` entry (a
    /// generic `Erreur <code>` message for a code it does not know).
    static func standard(code: Int) -> FakeAPIError {
        switch code {
        case 1: FakeAPIError(code: 1, message: "Clé API obligatoire", errors: [])
        case 2: FakeAPIError(code: 2, message: "Numéro de téléphone obligatoire", errors: [])
        case 9:
            FakeAPIError(
                code: 9, message: nil,
                errors: [FieldError(elementId: "children[phoneNumbers].data", message: invalidNumber)])
        case 10: FakeAPIError(code: 10, message: "Clé API incorrecte", errors: [])
        case 11: FakeAPIError(code: 11, message: "Crédits insuffisants", errors: [])
        case 4: FakeAPIError(code: 4, message: "Message introuvable", errors: [])
        case 14: FakeAPIError(code: 14, message: "Le numéro est dans la liste STOP SMS", errors: [])
        case 20: FakeAPIError(code: 20, message: "Compte désactivé", errors: [])
        case 30: FakeAPIError(code: 30, message: "Compte bloqué", errors: [])
        case 40: FakeAPIError(code: 40, message: "Accès refusé", errors: [])
        case 52: FakeAPIError(code: 52, message: "Le message ne peut pas dépasser 10 SMS", errors: [])
        case 96: FakeAPIError(code: 96, message: "Adresse IP non autorisée", errors: [])
        case 500: FakeAPIError(code: 500, message: "Erreur de la file d'envoi", errors: [])
        default: FakeAPIError(code: code, message: "Erreur \(code)", errors: [])
        }
    }

    /// A code 9 reply with the given field errors.
    static func constraints(_ errors: [FieldError]) -> FakeAPIError {
        FakeAPIError(code: 9, message: nil, errors: errors)
    }

    /// The text of an invalid phone number error.
    static let invalidNumber = "Le numéro de téléphone n'est pas valide"

    /// The JSON body: `{"success":false,"code":…,"message":…}` or `{…,"errors":[…]}`.
    var json: String {
        var text = #"{"success":false,"code":\#(code)"#
        if let message {
            text += #","message":"# + JSONText.quoted(message)
        }
        if !errors.isEmpty || message == nil {
            let items = errors.map {
                #"{"elementId":"# + JSONText.quoted($0.elementId) + #","message":"# + JSONText.quoted($0.message) + "}"
            }
            text += #","errors":[\#(items.joined(separator: ","))]"#
        }
        return text + "}"
    }
}
