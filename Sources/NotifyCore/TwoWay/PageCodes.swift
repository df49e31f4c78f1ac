import NotifyState
import SMSText

/// The reply codes of pages (``ReplyCode``: two characters that cannot be misread), unique
/// among a number's open pages and those resolved less than ``quietPeriod`` ago.
public enum PageCodes {
    /// The characters of a code.
    public static let alphabet = Array(ReplyCode.alphabet)
    /// How long a resolved page's code stays taken: a late `ACK 4F` must not hit a new alert.
    public static let quietPeriod = Duration.seconds(3600)

    /// The code of a notification about `subject` to `recipients`, chosen in `reader`: the code
    /// their open pages about it already have, when it is free for every one of them; else a
    /// new one free for all; nil when none is (900 codes taken).
    public static func code(for recipients: [PhoneNumber], subject: String, in reader: any StateReader, at time: Timestamp,
                            using generator: inout some RandomNumberGenerator) throws(StateError) -> String? {
        var taken = Set<String>()
        var current: String?
        for recipient in recipients {
            for page in try reader.pages(of: recipient.e164, resolvedSince: time - quietPeriod) {
                if page.subject == subject, page.resolvedAt == nil {
                    current = current ?? page.code
                } else {
                    taken.insert(page.code)
                }
            }
        }
        if let current, !taken.contains(current) { return current }
        for _ in 0..<32 {
            let code = String([alphabet.randomElement(using: &generator), alphabet.randomElement(using: &generator)].compactMap { $0 })
            if !taken.contains(code) { return code }
        }
        for first in alphabet {
            for second in alphabet where !taken.contains(String([first, second])) {
                return String([first, second])
            }
        }
        return nil
    }
}
