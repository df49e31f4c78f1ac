/// What ``FakeSMSPartner`` reports of a message to one number, in `GET /v1/message-status`,
/// `POST /v1/multi-status` and the `urlDlr` callback (see `FakeSMSPartner.scriptDelivery(to:_:)`).
public enum FakeDeliveryStatus: Sendable, Equatable {
    /// `statut` `Delivered`.
    case delivered
    /// `statut` `Not delivered`.
    case notDelivered
    /// `statut` `Waiting`.
    case waiting
    /// Any raw `statut` text, e.g. `4103` (operator flood protection) or `DELIVRD`.
    case status(String)
    /// `statut` `Not delivered` with `stopSms` true: the number is on the account's STOP list.
    case stop

    /// The `statut` text.
    var text: String {
        switch self {
        case .delivered: "Delivered"
        case .notDelivered, .stop: "Not delivered"
        case .waiting: "Waiting"
        case .status(let text): text
        }
    }

    /// The `stopSms` flag.
    var stopSms: Bool { self == .stop }
}
