/// How a failed request should be handled.
public enum FailureClass: String, Sendable, Equatable, CaseIterable {
    /// Network trouble, a timeout or HTTP 5xx (also 408 and 429), code 500 (SMSPartner's
    /// queue): try again later.
    case transient
    /// The key or URL is wrong (codes 1 and 10, an unusable URL), or this host's IP is not
    /// allowed (code 96): fix the configuration.
    case configuration
    /// The account cannot send (code 11, no credits: top it up; codes 20, 30 and 40, disabled,
    /// blocked or denied: ask support). Alert loudly.
    case account
    /// The request itself was refused (codes 2 and 9, 14 a number on the STOP list, 52 more
    /// than 10 parts, other 4xx, unknown codes): never retried.
    case rejected
    /// The request was sent but no usable answer came (a timeout or a reset after sending, a
    /// 502/504 from a gateway, a 2xx that cannot be read): SMSPartner may have taken it. It is
    /// never sent again blindly: SMSPartner is asked first, by the message's tag.
    case unknown

    /// Whether sending the same request again later may succeed.
    public var isRetryable: Bool { self == .transient }
}
