/// Why a call to SMSPartner did not succeed, classified by ``failureClass``.
/// Descriptions never contain the API key.
public enum SMSPartnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SMSPartner answered `"success": false` with a documented or undocumented code.
    case rejected(code: Int, message: String, fieldErrors: [FieldError], httpStatus: Int)
    /// An HTTP error status without a readable SMSPartner error body.
    case httpStatus(Int, excerpt: String)
    /// A success status whose body is not the documented JSON.
    case unreadableReply(httpStatus: Int, excerpt: String)
    /// No HTTP response at all.
    case transport(HTTPTransportError)

    /// One entry of the `errors` list of a code-9 reply.
    public struct FieldError: Sendable, Equatable {
        /// The field, as SMSPartner names it (e.g. `children[phoneNumbers].data`).
        public var elementID: String
        /// SMSPartner's message, in French, as received.
        public var message: String

        public init(elementID: String, message: String) {
            self.elementID = elementID
            self.message = message
        }
    }

    /// What to do about it.
    public var failureClass: FailureClass {
        switch self {
        case .rejected(let code, _, _, let status):
            switch code {
            case 1, 10, 96: .configuration
            case 11, 20, 30, 40: .account
            case 2, 9, 14, 52: .rejected
            case 500: .transient  // SMSPartner's own queue failed, whatever the HTTP status
            default: Self.classify(httpStatus: status) ?? .rejected
            }
        case .httpStatus(502, _), .httpStatus(504, _):
            // A gateway that got no (valid) answer from SMSPartner behind it: SMSPartner may
            // have taken the request.
            .unknown
        case .httpStatus(let status, _):
            Self.classify(httpStatus: status) ?? .rejected
        case .unreadableReply:
            // A 2xx that cannot be read: SMSPartner probably took it.
            .unknown
        case .transport(let error):
            error.outcomeUnknown ? .unknown : error.isTransient ? .transient : .configuration
        }
    }

    /// Whether the failure concerns one number only (code 14: the number is on the STOP list),
    /// so only that number should be given up, not the others of the request.
    public var isRecipientSpecific: Bool {
        if case .rejected(code: 14, _, _, _) = self { true } else { false }
    }

    /// The HTTP status SMSPartner (or what answered in its place) replied with, if any.
    public var httpStatusCode: Int? {
        switch self {
        case .rejected(_, _, _, let status), .httpStatus(let status, _), .unreadableReply(let status, _): status
        case .transport: nil
        }
    }

    /// The class an HTTP status implies on its own, or nil if it implies none.
    static func classify(httpStatus status: Int) -> FailureClass? {
        switch status {
        case 500...599, 408, 429: .transient
        case 401, 403, 404, 405: .configuration  // bad key, or an API URL that is not SMSPartner's
        case 400...499: .rejected
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .rejected(let code, let message, let fieldErrors, _):
            let details = fieldErrors.map { "\($0.elementID): \($0.message)" }
            let text = ([message].filter { !$0.isEmpty } + details).joined(separator: "; ")
            let meaning = Self.meaning(ofCode: code)
            return "SMSPartner refused the request: code \(code) (\(meaning))" + (text.isEmpty ? "" : ": \(text)")
        case .httpStatus(let status, let excerpt):
            return "SMSPartner answered HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        case .unreadableReply(let status, let excerpt):
            return "SMSPartner answered HTTP \(status) with an unreadable body" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        case .transport(.noAnswer(let text)):
            return "no answer from SMSPartner after the whole request was sent (\(text))"
        case .transport(let error):
            return "SMSPartner unreachable: \(error)"
        }
    }

    /// The documented meaning of an SMSPartner error code.
    public static func meaning(ofCode code: Int) -> String {
        switch code {
        case 1: "API key missing"
        case 2: "phone number missing"
        case 9: "a constraint failed"
        case 10: "API key wrong"
        case 11: "not enough credits: top up the SMSPartner account"
        case 14:
            "the number is on the STOP list: it receives nothing from this account until it is removed "
                + "(SMSPartner dashboard → STOP list, or ask support)"
        case 20: "the account is disabled: ask SMSPartner support"
        case 30: "the account is blocked: ask SMSPartner support"
        case 40: "access to the account is denied: ask SMSPartner support"
        case 52: "the message is longer than 10 parts: shorten it"
        case 96: "this host's IP address is not allowed: add this host's IP to the account's allowed IPs (SMSPartner dashboard)"
        case 500: "SMSPartner's sending queue failed: try again later"
        default: "undocumented code"
        }
    }
}
