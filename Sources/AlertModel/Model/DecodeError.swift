/// Why an input could not be turned into an alert. `send` exits 65 with the description.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--format auto` found several families, or none it can tell apart; `found` says what it saw.
    case ambiguous(found: String)
    /// Nothing to read: no flags, no environment macros, empty standard input.
    case noInput
    /// The input is not what the family expects (`format`), e.g. JSON that does not parse.
    case malformed(format: InputFormat, reason: String)
    /// The input parsed but holds nothing worth texting (no host, service, summary or output).
    case empty(format: InputFormat, reason: String)

    public var description: String {
        switch self {
        case .ambiguous(let found):
            "cannot tell the input format: \(found); pass --format nagios|icinga|alertmanager|generic"
        case .noInput:
            "no alert: give --message, the alert flags, the NAGIOS_* or Icinga 2 environment, or pipe the alert on standard input"
        case .malformed(let format, let reason):
            "unreadable \(format.rawValue) input: \(reason)"
        case .empty(let format, let reason):
            "nothing to send in the \(format.rawValue) input: \(reason)"
        }
    }
}
