import AlertModel
import SMSText

/// Who gets what `serve` receives: the numbers the configuration routes the Alertmanager
/// receiver to (`receivers:`), else `serve --to`; plus numbers the payload names itself (the
/// `recipient_label` of its alerts, a generic `to`), only those `allowed_recipients` admits.
/// Without `allowed_recipients`, a payload never chooses whom to text.
public enum ReceiverRouting {
    public struct Route: Sendable, Equatable {
        public var numbers: [PhoneNumber]
        /// Numbers of the payload left out, with the reason.
        public var skipped: [String]
        /// Set when the payload names more numbers than `max_recipients`: it is refused whole.
        public var refusal: RecipientError?
    }

    public static func route(_ notification: Notification, configuration: Configuration, defaults: [PhoneNumber]) -> Route {
        var numbers = notification.receiver.flatMap { configuration.receivers[$0] } ?? defaults
        var skipped: [String] = []
        // The distinct names, in order, counted before any is parsed: more than
        // `max_recipients` is refused whatever they are.
        var named: [String] = []
        var distinct = Set<String>()
        var names = notification.recipients
        if let label = configuration.recipientLabel {
            for value in notification.alerts.compactMap({ $0.label(label) }) + notification.commonLabels.filter({ $0.name == label }).map(\.value) {
                names += value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            }
        }
        for name in names where distinct.insert(name).inserted { named.append(name) }
        guard named.count <= configuration.maxRecipients else {
            return Route(numbers: [], skipped: [], refusal: .tooMany(named.count, limit: configuration.maxRecipients, origin: "the payload"))
        }
        for text in named {
            guard let number = try? PhoneNumber(parsing: text) else {
                skipped.append("\(text) (not a phone number)")
                continue
            }
            // Already routed by the configuration: nothing to admit.
            if numbers.contains(number) { continue }
            guard let allowlist = configuration.allowedRecipients, allowlist.allows(number) else {
                skipped.append("\(number.e164) (not in allowed_recipients)")
                continue
            }
            numbers.append(number)
        }
        var seen = Set<PhoneNumber>()
        numbers = numbers.filter { seen.insert($0).inserted }
        var seenSkipped = Set<String>()
        return Route(numbers: numbers, skipped: skipped.filter { seenSkipped.insert($0).inserted }, refusal: nil)
    }
}
