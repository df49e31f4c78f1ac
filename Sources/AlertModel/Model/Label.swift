/// One name/value pair: an Alertmanager label or annotation, a Nagios custom variable,
/// a generic `labels` entry. Kept in arrays so the source's order survives.
public struct Label: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
