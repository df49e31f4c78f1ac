/// One performance datum, as the Monitoring Plugins guidelines write it:
/// `label=value[UOM];warn;crit;min;max` (`U` for a value that could not be determined).
public struct PerfDatum: Sendable, Equatable {
    public var label: String
    /// The value with its unit (`4500s`, `12.5%`, `42`), or `U`.
    public var value: String
    public var warning: String
    public var critical: String
    public var minimum: String
    public var maximum: String

    public init(_ label: String, _ value: String, warning: String = "", critical: String = "", minimum: String = "0", maximum: String = "") {
        self.label = label
        self.value = value
        self.warning = warning
        self.critical = critical
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The datum; a label that is not `[a-z_]` only is single-quoted.
    public var text: String {
        let plain = label.allSatisfy { ($0.isASCII && $0.isLetter) || $0 == "_" }
        let name = plain ? label : "'" + label.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
        return "\(name)=\(value);\(warning);\(critical);\(minimum);\(maximum)"
    }
}

