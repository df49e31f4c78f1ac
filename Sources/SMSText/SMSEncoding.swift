/// The character encoding an SMS is sent with.
///
/// SMSPartner sends GSM-7 by default and UCS-2 when the request says `isUnicode=1`.
/// The raw values are stable and safe to show in logs, dry-run output and configuration.
public enum SMSEncoding: String, Sendable, Equatable, CaseIterable {
    /// The GSM 03.38 default alphabet and its extension table: 160 septets in one SMS,
    /// 153 per part of a longer message.
    case gsm7
    /// UTF-16 code units (UCS-2 as billed): 70 in one SMS, 67 per part of a longer message.
    case ucs2

    /// How many units fit in a message sent as one single SMS (160 or 70).
    public var singleSegmentCapacity: Int {
        switch self {
        case .gsm7: 160
        case .ucs2: 70
        }
    }

    /// How many units fit in each part of a message sent as several SMS (153 or 67); the rest
    /// of each part carries the concatenation header.
    public var multipartSegmentCapacity: Int {
        switch self {
        case .gsm7: 153
        case .ucs2: 67
        }
    }

    /// The mark appended to a cut text: `"…"` in UCS-2, `"..."` in GSM-7 (which has no
    /// ellipsis character).
    public var truncationMark: String {
        switch self {
        case .gsm7: "..."
        case .ucs2: "\u{2026}"
        }
    }
}
