/// Why a call to a source's API did not do its job, worded for an SMS and a log line: the
/// source's own words escaped and cut, never a secret.
public struct AckFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
