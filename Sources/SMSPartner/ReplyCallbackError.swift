/// Why a request to the reply URL could not be read as an SMS reply.
public enum ReplyCallbackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is longer than ``ReplyCallback/maxBodyBytes``; it was not read.
    case bodyTooLarge(bytes: Int)
    /// The JSON body nests arrays and objects deeper than ``ReplyCallback/maxJSONDepth``; it
    /// was not read.
    case nestedTooDeep
    /// The body is neither a JSON object nor a form; says why.
    case unreadableBody(String)
    /// No non-empty sender (`msisdn`, `phone_number`, `phoneNumber`).
    case missingSender
    /// No non-empty `text`.
    case missingText
    /// The reply says it is a part of a long reply (`concat`, `concat-…`) but its part fields
    /// are incomplete or out of range; says which.
    case invalidConcat(String)

    public var description: String {
        switch self {
        case .bodyTooLarge(let bytes):
            "SMS reply refused: a body of \(bytes) bytes, over the limit of \(ReplyCallback.maxBodyBytes)"
        case .nestedTooDeep:
            "SMS reply refused: JSON nested deeper than \(ReplyCallback.maxJSONDepth) levels"
        case .unreadableBody(let why):
            "SMS reply unreadable: \(why)"
        case .missingSender:
            "SMS reply without a sender (msisdn, phone_number or phoneNumber)"
        case .missingText:
            "SMS reply without a text"
        case .invalidConcat(let why):
            "SMS reply part unreadable: \(why) (concat, concat-ref, concat-total, concat-part)"
        }
    }

    /// The same failure, said of a reply.
    init(_ failure: CallbackFields.Failure) {
        switch failure {
        case .bodyTooLarge(let bytes): self = .bodyTooLarge(bytes: bytes)
        case .nestedTooDeep: self = .nestedTooDeep
        case .unreadableBody(let why): self = .unreadableBody(why)
        }
    }
}
