import SMSText

/// What SMSPartner knows of the messages sent with one tag (`GET /bulk-status-by-tag`): one
/// entry per number it took, whatever became of the SMS since (waiting, delivered or not).
///
/// Each outbox message carries a tag of its own, so this answers "did SMSPartner take the
/// request whose answer never came?" before it is sent again.
public struct TagStatus: Sendable, Equatable {
    /// One number SMSPartner took a message for.
    public struct Entry: Sendable, Equatable {
        /// As SMSPartner wrote it (`+336…`), when it did.
        public var phoneNumber: String?
        /// `Delivered`, `Not delivered`, `Waiting`…
        public var status: String?

        public init(phoneNumber: String?, status: String?) {
            self.phoneNumber = phoneNumber
            self.status = status
        }
    }

    public var entries: [Entry]
    /// The number of entries SMSPartner reports in all (`total`), when it says.
    public var total: Int?

    public init(entries: [Entry], total: Int? = nil) {
        self.entries = entries
        self.total = total
    }

    /// Which of `numbers` SMSPartner took a message for. An entry whose number cannot be read
    /// stands for every number (a non-empty list says the request was taken).
    public func taken(among numbers: [PhoneNumber]) -> [PhoneNumber] {
        guard !entries.isEmpty else { return [] }
        var known = Set<String>()
        for entry in entries {
            guard let text = entry.phoneNumber, let number = try? PhoneNumber(parsing: text) else { return numbers }
            known.insert(number.e164)
        }
        return numbers.filter { known.contains($0.e164) }
    }
}
