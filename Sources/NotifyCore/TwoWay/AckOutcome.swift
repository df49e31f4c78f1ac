/// What the source said of an acknowledgement: what the replier's confirmation SMS says.
public enum AckOutcome: Sendable, Equatable {
    /// Done; `detail` says what (`silence 3f2a… until 16:05`, `acknowledged`).
    case acknowledged(detail: String)
    /// Nothing to do: already acknowledged, or no longer a problem (Icinga's 409).
    case alreadyDone(detail: String)
    /// The source does not do this (`CLOSE` on Nagios…).
    case notSupported(detail: String)
    /// It could not be done: the source refused, or could not be reached.
    case failed(reason: String)

    /// Whether the alert is acknowledged (or needs no acknowledgement) now.
    public var isSettled: Bool {
        switch self {
        case .acknowledged, .alreadyDone: true
        case .notSupported, .failed: false
        }
    }
}
