/// One thing `check` judges (credits, the outbox, the last success, delivery, the store): its
/// state, its words in the summary, its performance data.
public struct CheckItem: Sendable, Equatable {
    /// The longest text an item shows: an SMSPartner message or a path can be long.
    static let maxText = 240

    /// `credits`, `outbox`, …: names the item in the long output.
    public var name: String
    public var state: PluginState
    /// What the summary says, on one line without `|` (``clean(_:)``).
    public var text: String
    public var perfData: [PerfDatum]

    public init(_ name: String, _ state: PluginState, _ text: String, perfData: [PerfDatum] = []) {
        self.name = name
        self.state = state
        self.text = Self.clean(text)
        self.perfData = perfData
    }

    /// `text` as plugin output may hold it: line breaks and other control characters become
    /// spaces (the first line is the summary), `|` becomes `/` (it starts the performance
    /// data), and it is cut at ``maxText`` characters.
    static func clean(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator, .format: out.unicodeScalars.append(" ")
            default: out.unicodeScalars.append(scalar == "|" ? "/" : scalar)
            }
        }
        return out.count > maxText ? String(out.prefix(maxText - 1)) + "…" : out
    }
}
