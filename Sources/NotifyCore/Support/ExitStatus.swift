import NotifyState
import SMSPartner

/// The exit codes of the command-line contract (sysexits).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Sent, or deliberately suppressed.
    case ok = 0
    /// Wrong usage: unknown flag, invalid `--to`, no recipient.
    case usage = 64
    /// The alert input cannot be read or holds nothing to send.
    case dataError = 65
    /// SMSPartner refused the message for good (invalid number, no credits…).
    case unavailable = 69
    /// `serve` only: the operating system refused what it needs (`EX_OSERR`): the address to
    /// listen on is in use or not permitted.
    case osError = 71
    /// `send` only: sent, but without state (`EX_CANTCREAT`): the state store could not be
    /// created, opened or written, so the SMS went out without deduplication or rate limits
    /// rather than be lost. Fix the state directory (`status` and `check` name the problem).
    case sentWithoutState = 73
    /// `send` only: not sent and not kept (`EX_IOERR`): the state store is unusable, so there
    /// is no outbox to keep the SMS in, and SMSPartner did not take it within the time budget.
    case notKept = 74
    /// Not sent yet, or sent without an answer: kept in the outbox (retried, or first checked
    /// with SMSPartner).
    case tempFailure = 75
    /// Configuration error: no or wrong API key, unreadable or invalid configuration.
    case configuration = 78

    /// The exit status for a delivery's outcome.
    public init(_ report: DeliveryReport) {
        self.init(worst: report.worstFailure)
    }

    /// The exit status for the most serious of a run's failures (nil: none).
    public init(worst: SMSPartnerError?) {
        guard let worst else {
            self = .ok
            return
        }
        switch worst.failureClass {
        case .configuration: self = .configuration
        case .account, .rejected: self = .unavailable
        case .transient, .unknown: self = .tempFailure
        }
    }

    /// The exit status for a state store that cannot be used: busy is temporary (75), the
    /// rest needs the operator (78: permissions, a damaged file, a full disk).
    public init(_ error: StateError) {
        self = error.isTransient ? .tempFailure : .configuration
    }
}
