/// Who an Alertmanager alert is across its notifications, worked out once, when it is decoded:
/// its fingerprint (Alertmanager's, else the hash of its labels) and the status this
/// notification reports. Its dedup key and its instance derive from it, never parsed back.
public struct AlertIdentity: Sendable, Hashable {
    /// Alertmanager's fingerprint, else ``fingerprint(of:)`` of the labels.
    public var fingerprint: String
    /// The status, lowercased (`firing`, `resolved`; `unknown` when none was given).
    public var status: String

    public init(fingerprint: String?, labels: [Label], status: String?) {
        self.fingerprint = fingerprint ?? Self.fingerprint(of: labels)
        self.status = (status ?? "unknown").lowercased()
    }

    /// `fingerprint:status`: the same alert in the same status is the same notification.
    public var dedupKey: String { "\(fingerprint):\(status)" }

    /// `fingerprint@startsAt`: one firing of the alert (a new firing has a new `startsAt`).
    public func instance(startsAt: String) -> String { "\(fingerprint)@\(startsAt)" }

    /// A fingerprint for labels when the source gave none: the hash of the labels'
    /// `name=value` pairs, sorted by name then value, joined by `,`.
    public static func fingerprint(of labels: [Label]) -> String {
        let pairs = labels.sorted { ($0.name, $0.value) < ($1.name, $1.value) }.map { "\($0.name)=\($0.value)" }
        return StableHash.hex(pairs.joined(separator: ","))
    }
}
