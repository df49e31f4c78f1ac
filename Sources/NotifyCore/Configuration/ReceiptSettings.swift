import NotifyState

/// Delivery receipts: when SMSPartner is asked what became of a sent SMS, and where it may
/// push the answer instead. The `receipts:` section of the configuration.
///
/// ```yaml
/// receipts:
///   poll_after: [1m, 5m, 30m, 1h]   # when to ask after sending; then hourly up to 48 h ([] = never ask)
///   callback_url: https://notify.example.org/smspartner/dlr   # optional: SMSPartner pushes receipts to serve
///   token_file: /etc/smspartner-notify/dlr.token              # the secret last segment of that URL
/// ```
public struct ReceiptSettings: Sendable, Equatable {
    /// How long after sending each report is asked for; after the last, every ``pollInterval``
    /// until ``finalAfter``. Empty: receipts are not polled (a push may still settle them).
    public var pollAfter: [Duration]
    /// The public URL of `serve`'s `/smspartner/dlr` route, without the token; nil: no push.
    public var callbackURL: String?
    /// The file holding the token that ends the callback URL (required with ``callbackURL``).
    public var tokenFile: String?

    /// SMSPartner may take up to 48 h to report: a message with no final report by then is `expired`.
    public static let finalAfter = Duration.seconds(48 * 3600)
    /// The pause between two polls after the last of ``pollAfter``.
    public static let pollInterval = Duration.seconds(3600)
    /// The default ``pollAfter``.
    public static let defaultPollAfter: [Duration] = [.seconds(60), .seconds(300), .seconds(1800), .seconds(3600)]

    public static let knownKeys = ["poll_after", "callback_url", "token_file"]

    public init(pollAfter: [Duration] = ReceiptSettings.defaultPollAfter, callbackURL: String? = nil, tokenFile: String? = nil) {
        self.pollAfter = pollAfter
        self.callbackURL = callbackURL
        self.tokenFile = tokenFile
    }

    /// Whether sent messages are tracked at all: polled, or reported by a push.
    public var isTracking: Bool { !pollAfter.isEmpty || callbackURL != nil }

    /// When a message sent at `sent` is next looked at, after `polls` polls that found no final
    /// report: the next step of ``pollAfter``, then hourly, and never later than ``finalAfter``,
    /// when a message still without a final report becomes `expired`. Without polling (a push
    /// only), that last look is all.
    public func nextPoll(sentAt sent: Timestamp, polls: Int) -> Timestamp {
        let offset: Duration
        if pollAfter.isEmpty {
            offset = Self.finalAfter
        } else if polls < pollAfter.count {
            offset = pollAfter[max(polls, 0)]
        } else {
            offset = (pollAfter.last ?? .zero) + Self.pollInterval * (polls - pollAfter.count + 1)
        }
        return sent + min(offset, Self.finalAfter)
    }
}
