import SMSPartner

/// What `check` learnt of the account (`GET /me`).
public enum CreditsFact: Sendable, Equatable {
    /// SMSPartner answered.
    case account(Account)
    /// No API key is configured (why, without the key).
    case noKey(String)
    /// The call failed.
    case failed(SMSPartnerError)

    /// Asks SMSPartner, within `timeout`, with the key and URL of `settings`.
    public static func fetch(_ settings: Settings, timeout: Duration) -> CreditsFact {
        let key: APIKey
        do {
            key = try settings.apiKey()
        } catch {
            return .noKey(error.description)
        }
        let client = SMSPartnerClient(apiKey: key, baseURL: settings.apiURL, userAgent: ToolVersion.userAgent)
        switch client.me(timeout: timeout) {
        case .success(let account): return .account(account)
        case .failure(let error): return .failed(error)
        }
    }

    /// How serious a failed call is: SMSPartner refusing the key or the account (code 10, a
    /// disabled account: codes 20, 30, 40…), or an HTTP 4xx, is CRITICAL: no SMS can go out.
    /// No answer, a 5xx or an unreadable one says nothing of the account: UNKNOWN.
    static func state(of error: SMSPartnerError) -> PluginState {
        switch error {
        case .rejected: .critical
        case .httpStatus(let status, _): (400...499).contains(status) && status != 408 && status != 429 ? .critical : .unknown
        case .unreadableReply, .transport: .unknown
        }
    }
}
