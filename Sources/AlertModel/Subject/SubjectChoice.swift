/// What ``SubjectRules`` made of one alert's labels.
public struct SubjectChoice: Sendable, Equatable {
    /// The affected object as the SMS names it: `shop/checkout-api-7d9f8b6c4d-x2x7q`,
    /// `ip-10-42-5-88.eu-west-3.compute.internal`, `db-1`, `shop.example.com/health`; nil when
    /// no label names one.
    public var subject: String?
    /// The labels it was made of (`namespace`, `pod`), in order.
    public var from: [String]
    /// The labels dropped as scrape plumbing, by name.
    public var noise: [String]
    /// The labels worth showing beside it (`reason=CrashLoopBackOff`, `mountpoint=/var`), in
    /// the alert's order: neither the subject's, nor noise, nor shown elsewhere.
    public var context: [Label]

    public init(subject: String?, from: [String], noise: [String], context: [Label]) {
        self.subject = subject
        self.from = from
        self.noise = noise
        self.context = context
    }
}
