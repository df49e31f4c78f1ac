/// Why a request to the `urlDlr` callback could not be read as a delivery receipt.
public enum DeliveryCallbackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is longer than ``DeliveryCallback/maxBodyBytes``; it was not read.
    case bodyTooLarge(bytes: Int)
    /// The JSON body nests arrays and objects deeper than ``DeliveryCallback/maxJSONDepth``; it
    /// was not read.
    case nestedTooDeep
    /// The body is neither a JSON object nor a form; says why.
    case unreadableBody(String)
    /// No non-empty `status`, `statut` or `dlr` field.
    case missingStatus
    /// Neither a message id (`messageId`, `message_id`) nor a number (`phoneNumber`,
    /// `phone_number`, `msisdn`): the receipt cannot be matched to a message.
    case missingMessageID

    public var description: String {
        switch self {
        case .bodyTooLarge(let bytes):
            "delivery receipt refused: a body of \(bytes) bytes, over the limit of \(DeliveryCallback.maxBodyBytes)"
        case .nestedTooDeep:
            "delivery receipt refused: JSON nested deeper than \(DeliveryCallback.maxJSONDepth) levels"
        case .unreadableBody(let why):
            "delivery receipt unreadable: \(why)"
        case .missingStatus:
            "delivery receipt without a status (status, statut or dlr)"
        case .missingMessageID:
            "delivery receipt naming neither a message id (messageId, message_id) nor a number (phoneNumber, phone_number, msisdn)"
        }
    }

    /// The same failure, said of a delivery receipt.
    init(_ failure: CallbackFields.Failure) {
        switch failure {
        case .bodyTooLarge(let bytes): self = .bodyTooLarge(bytes: bytes)
        case .nestedTooDeep: self = .nestedTooDeep
        case .unreadableBody(let why): self = .unreadableBody(why)
        }
    }
}
