/// How the SMS sent over a recent window fared on the phones: what `check` judges and
/// `status` shows.
public struct ReceiptSummary: Sendable, Equatable {
    /// Sent deliveries with a tracked receipt, by state.
    public var counts: [ReceiptState: Int]
    /// Of the `accepted` ones, those sent long enough ago that a report was expected.
    public var stale: Int

    public init(counts: [ReceiptState: Int] = [:], stale: Int = 0) {
        self.counts = counts
        self.stale = stale
    }

    public subscript(state: ReceiptState) -> Int { counts[state, default: 0] }

    /// The share of reports saying the SMS did not reach the phone among those that say
    /// delivered or not, from 0 to 1; nil with no such report.
    public var undeliveredShare: Double? {
        let reported = self[.delivered] + self[.notDelivered]
        return reported == 0 ? nil : Double(self[.notDelivered]) / Double(reported)
    }

    /// Deliveries with no final report when one was expected: `expired` ones, and `stale` ones.
    public var withoutReport: Int { self[.expired] + stale }
}
