/// The account, as `GET /me` describes it.
public struct Account: Sendable, Equatable {
    public var username: String?
    /// Premium SMS credits left.
    public var creditSMS: Int
    /// Low-cost SMS credits left.
    public var creditSMSEco: Int?
    /// Balance in ``currency``, as the API sends it (a decimal string).
    public var balance: String?
    public var currency: String?

    public init(username: String?, creditSMS: Int, creditSMSEco: Int?, balance: String?, currency: String?) {
        self.username = username
        self.creditSMS = creditSMS
        self.creditSMSEco = creditSMSEco
        self.balance = balance
        self.currency = currency
    }
}
