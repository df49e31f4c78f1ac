/// The tool's name and version, as printed by `--version` and sent in `User-Agent`.
public enum ToolVersion {
    public static let name = "smspartner-notify"
    public static let current = "0.1.0"
    /// `smspartner-notify/<version>`.
    public static var userAgent: String { "\(name)/\(current)" }
}
