/// What became of one SMS to one number, as SMSPartner reports it (`GET /message-status`,
/// `POST /multi-status`, the `urlDlr` callback).
///
/// SMSPartner documents three `statut` texts: `Delivered`, `Not delivered` and `Waiting`.
/// Its callback is not documented, so ``init(status:)`` also reads the usual spellings of
/// operators and SMPP gateways, case-insensitively, with `_`, `-` and spaces alike:
///
/// | reads as | texts |
/// |---|---|
/// | ``delivered`` | `Delivered`, `DELIVRD`, `DLVRD`, `1` |
/// | ``notDelivered(reason:)`` | `Not delivered`, `not_delivered`, `undelivered`, `UNDELIV`, `EXPIRED`, `REJECTD`, `rejected`, `failed`, `DELETED`, `2`, `16` |
/// | ``waiting`` | `Waiting`, `pending`, `sent`, `accepted`, `ACCEPTD`, `buffered`, `queued`, `ENROUTE`, `scheduled`, `4`, `8` |
/// | ``unrecognized(_:)`` | anything else (also empty), e.g. `UNKNOWN`: not final |
///
/// The numeric codes are the delivery-report codes of Kannel-style gateways: 1 delivered to
/// the phone, 2 not delivered to the phone, 4 queued at the operator, 8 handed to the operator,
/// 16 refused by the operator. SMSPartner's operator flood-protection codes `4103` and `4104`
/// anywhere in a status (as a number of their own, e.g. `Not delivered (4103)`) mean the
/// operator dropped the SMS: not delivered.
public enum ReportedDelivery: Sendable, Equatable {
    /// The phone received the SMS.
    case delivered
    /// The SMS will not reach the phone; `reason` says why, in English.
    case notDelivered(reason: String)
    /// Not known yet: receipts may take up to 48 hours.
    case waiting
    /// A status this does not know, as received (trimmed). Not final.
    case unrecognized(String)

    /// The reason given when SMSPartner says the number is on the account's STOP list.
    public static let stopListReason = "the number is on the STOP list"

    /// Reads one status text (see the table above).
    public init(status: String) {
        let trimmed = status.trimmingASCIIWhitespace()
        if let code = Self.floodProtectionCode(in: trimmed) {
            self = .notDelivered(reason: "operator flood protection (\(code))")
            return
        }
        let key = String(trimmed.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
        switch key {
        case "delivered", "delivrd", "dlvrd", "1":
            self = .delivered
        case "notdelivered", "undelivered", "undeliv", "undelivrd", "2":
            self = .notDelivered(reason: "not delivered")
        case "expired":
            self = .notDelivered(reason: "expired: the phone stayed unreachable")
        case "rejectd", "rejected", "16":
            self = .notDelivered(reason: "rejected by the operator")
        case "failed", "deleted":
            self = .notDelivered(reason: key)
        case "waiting", "pending", "sent", "accepted", "acceptd", "buffered", "queued", "enroute", "scheduled", "4", "8":
            self = .waiting
        default:
            self = .unrecognized(trimmed)
        }
    }

    /// Reads a status together with its `stopSms` flag: `true` means the number is on the
    /// STOP list and receives nothing from this account, whatever the status says.
    public static func from(status: String, stopSMS: Bool?) -> ReportedDelivery {
        stopSMS == true ? .notDelivered(reason: stopListReason) : ReportedDelivery(status: status)
    }

    /// Whether this will not change any more (delivered or not delivered).
    public var isFinal: Bool {
        switch self {
        case .delivered, .notDelivered: true
        case .waiting, .unrecognized: false
        }
    }

    /// `4103` or `4104` standing as a number of its own in `text`, if it does.
    private static func floodProtectionCode(in text: String) -> String? {
        let runs = text.split(whereSeparator: { !("0"..."9").contains($0) })
        return runs.first(where: { $0 == "4103" || $0 == "4104" }).map(String.init)
    }
}
