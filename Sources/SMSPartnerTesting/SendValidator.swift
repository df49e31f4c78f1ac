/// The checks the fake applies to a decoded `POST /v1/send` body before any queued reply,
/// following the SMSPartner documentation (and stricter where this project has a rule).
enum SendValidator {
    /// The most recipients one request may carry.
    static let maxNumbers = 500

    /// A failed check: the API error to answer and a short, loud description for the record.
    struct Failure: Sendable, Equatable {
        let error: FakeAPIError
        let summary: String
    }

    /// The first failing class of checks in the API's order (key missing 1, key wrong 10,
    /// numbers missing 2, then every constraint as one code 9), or `nil` when the body is valid.
    static func validate(_ body: SendRequestBody, apiKey: String) -> Failure? {
        if let failure = checkAPIKey(body.apiKey, expected: apiKey) { return failure }
        guard let phoneNumbers = body.phoneNumbers, !phoneNumbers.isEmpty else {
            return Failure(error: .standard(code: 2), summary: "error 2 (phoneNumbers missing)")
        }
        var errors: [FakeAPIError.FieldError] = []
        var notes: [String] = []
        let numbers = body.numbers
        if numbers.count > maxNumbers {
            errors.append(field("phoneNumbers", "Vous ne pouvez pas envoyer plus de \(maxNumbers) SMS par requête"))
            notes.append("\(numbers.count) numbers > \(maxNumbers)")
        }
        if let bad = numbers.first(where: { !isValidNumber($0) }) {
            errors.append(field("phoneNumbers", FakeAPIError.invalidNumber))
            notes.append("invalid number \"\(bad)\"")
        }
        if (body.message ?? "").isEmpty {
            errors.append(field("message", "Le message est obligatoire"))
            notes.append("message missing")
        }
        if let sender = body.sender, !sender.isEmpty, let problem = senderProblem(sender) {
            errors.append(field("sender", problem))
            notes.append("invalid sender \"\(sender)\"")
        }
        if let tag = body.tag, !tag.isEmpty, !isValidTag(tag) {
            errors.append(field("tag", "Le tag doit contenir au plus 20 caracteres, en minuscules, sans espace"))
            notes.append("invalid tag \"\(tag)\"")
        }
        if let stop = body.isStopSms, stop != 0 {
            errors.append(field("isStopSms", "isStopSms doit valoir 0 pour un SMS transactionnel"))
            notes.append("ISSTOPSMS=\(stop): THIS PROJECT MUST ALWAYS SEND isStopSms=0")
        }
        for (name, value) in [("isUnicode", body.isUnicode), ("sandbox", body.sandbox)] {
            if let value, value != 0, value != 1 {
                errors.append(field(name, "Cette valeur doit être 0 ou 1"))
                notes.append("\(name)=\(value)")
            }
        }
        guard !errors.isEmpty else { return nil }
        return Failure(error: .constraints(errors), summary: "error 9 (\(notes.joined(separator: "; ")))")
    }

    /// Code 1 when the key is missing or empty, code 10 when it is not `expected`.
    static func checkAPIKey(_ key: String?, expected: String) -> Failure? {
        guard let key, !key.isEmpty else {
            return Failure(error: .standard(code: 1), summary: "error 1 (apiKey missing)")
        }
        guard key == expected else {
            return Failure(error: .standard(code: 10), summary: "error 10 (apiKey wrong)")
        }
        return nil
    }

    /// `+` followed by 8–15 digits, or a French national number `0` + 9 digits.
    static func isValidNumber(_ number: String) -> Bool {
        let bytes = Array(number.utf8)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if bytes.first == UInt8(ascii: "+") {
            return (9...16).contains(bytes.count) && bytes.dropFirst().allSatisfy(isDigit)
        }
        return bytes.count == 10 && bytes.first == UInt8(ascii: "0") && bytes.allSatisfy(isDigit)
    }

    /// Why `sender` is refused (3–11 ASCII letters and digits), or `nil`.
    static func senderProblem(_ sender: String) -> String? {
        if !sender.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) {
            return "L'emetteur ne peut contenir que des lettres et des chiffres"
        }
        if sender.unicodeScalars.count > 11 { return "L'emetteur ne peut pas etre plus long que 11 caracteres" }
        if sender.unicodeScalars.count < 3 { return "L'emetteur doit contenir au moins 3 caracteres" }
        return nil
    }

    /// At most 20 characters, no upper-case letter, no whitespace.
    static func isValidTag(_ tag: String) -> Bool {
        tag.count <= 20 && !tag.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.isUppercase }
    }

    private static func field(_ name: String, _ message: String) -> FakeAPIError.FieldError {
        FakeAPIError.FieldError(elementId: "children[\(name)].data", message: message)
    }
}
