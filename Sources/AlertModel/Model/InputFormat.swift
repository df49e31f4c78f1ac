/// The input families `send --format` accepts.
public enum InputFormat: String, Sendable, Equatable, CaseIterable {
    /// Detect the family from what is present (``InputDetector``).
    case auto
    /// Nagios 4: the contract's flags, or `NAGIOS_*` environment macros.
    case nagios
    /// Icinga 2: the stock notification scripts' environment names, or the flags.
    case icinga
    /// An Alertmanager webhook (version 4) JSON payload on standard input.
    case alertmanager
    /// A JSON object, `key=value` lines, or plain text on standard input.
    case generic
}
