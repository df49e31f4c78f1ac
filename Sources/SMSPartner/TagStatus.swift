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
        /// `false` when the entry says this number is not known.
        public var success: Bool?

        public init(phoneNumber: String?, status: String?, success: Bool? = nil) {
            self.phoneNumber = phoneNumber
            self.status = status
            self.success = success
        }
    }

    public var entries: [Entry]
    /// The number of entries SMSPartner reports in all (`total`), when it says.
    public var total: Int?

    public init(entries: [Entry], total: Int? = nil) {
        self.entries = entries
        self.total = total
    }

    /// Which of `numbers` SMSPartner took a message for; nil when this reply cannot tell:
    /// an entry names no number it can read while several were asked about, or a number is
    /// missing while SMSPartner says there are more entries than it listed (another page).
    ///
    /// An entry without a readable number, for a request to one number, says that request was
    /// taken. Numbers are read in international (`+336…`), national (`06…`), `00…` and bare
    /// (`336…`, as in SMSPartner's callbacks) forms. Entries marked `success: false` (a number
    /// it does not know) are not taken.
    public func taken(among numbers: [PhoneNumber]) -> [PhoneNumber]? {
        var known = Set<String>()
        for entry in entries where entry.success != false {
            guard let text = entry.phoneNumber, let number = Self.number(text) else {
                if numbers.count == 1 { return numbers }
                return nil
            }
            known.insert(number.e164)
        }
        let taken = numbers.filter { known.contains($0.e164) }
        if taken.count < numbers.count, let total, total > entries.count { return nil }
        return taken
    }

    /// A number as SMSPartner may write it: whatever ``PhoneNumber`` reads (`+336…`, `06…`,
    /// `00336…`, with separators), and the international form without its `+` (`336…`).
    public static func number(_ text: String) -> PhoneNumber? {
        (try? PhoneNumber(parsing: text)) ?? (try? PhoneNumber(parsing: "+" + text))
    }
}
