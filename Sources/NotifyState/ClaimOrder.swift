/// Which due deliveries a claim takes, the same for every backend.
public enum ClaimOrder {
    /// In event order per recipient: what a recipient has queued from before a due delivery
    /// goes along, due or not (a backoff's jitter must not put it after), and counts toward
    /// `limit`; a backlog longer than that goes oldest first. `due`: the due deliveries, soonest
    /// first; `queued`: a recipient's pending deliveries, oldest first. Sorted by id.
    public static func select<E: Error>(due: [ClaimedDelivery], limit: Int,
                                        queued pending: (String) throws(E) -> [ClaimedDelivery]) throws(E) -> [ClaimedDelivery] {
        var claimed: [ClaimedDelivery] = []
        var taken = Set<Int64>()
        var queued: [String: [ClaimedDelivery]] = [:]
        for delivery in due where !taken.contains(delivery.deliveryID) {
            if queued[delivery.recipient] == nil {
                queued[delivery.recipient] = try pending(delivery.recipient)
            }
            let before = (queued[delivery.recipient] ?? []).filter { $0.deliveryID < delivery.deliveryID && !taken.contains($0.deliveryID) }
            guard claimed.count + before.count < limit else {
                claimed += before.prefix(limit - claimed.count)
                break
            }
            claimed += before + [delivery]
            taken.formUnion(before.map(\.deliveryID) + [delivery.deliveryID])
        }
        claimed.sort { $0.deliveryID < $1.deliveryID }
        return claimed
    }
}
