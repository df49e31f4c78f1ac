import NotifyState

/// What the store tests record and read over and over, through the ``StateStore`` protocol
/// only: a decision in one write, the deliveries as `status` lists them, a value by name.
extension StateStore {
    /// Records one decision about `recipient`, with a message of its own, in one write; the
    /// delivery's id. A ``DeliveryState/sending`` one is claimed by `owner` for 30 s.
    @discardableResult
    func decide(_ recipient: String, _ state: DeliveryState, key: String? = "k", status: String? = "PROBLEM", subject: String? = "s",
                at time: Timestamp, text: String = "text", tag: String? = nil, kind: MessageKind = .alert, reason: DecisionReason? = nil,
                urgent: Bool = false, owner: String = "me") throws -> Int64 {
        try write { (tx) throws(StateError) in
            let message = try tx.insert(NewMessage(kind: kind, text: text, typeLabel: status, label: subject, tag: tag), at: time)
            return try tx.insert(NewDelivery(messageID: message, recipient: recipient, state: state, reason: reason, dedupKey: key,
                                             status: status, subject: subject, leaseOwner: owner, leaseUntil: time + .seconds(30),
                                             urgent: urgent), at: time)
        }
    }

    /// Every delivery (up to 1000), newest first, with its message's columns: what `status` lists.
    func deliveries() throws -> [DeliveryRecord] {
        try read { (reader) throws(StateError) in
            try reader.statusSnapshot(now: Timestamp(milliseconds: 0), windows: [], latest: 1000).latest
        }
    }

    /// The delivery `id` as `status` shows it; nil when there is none.
    func delivery(_ id: Int64) throws -> DeliveryRecord? {
        try deliveries().first { $0.id == id }
    }

    /// What `status` shows as of `now`, over `windows`.
    func snapshot(at now: Timestamp, windows: [Duration] = [], latest: Int = 0) throws -> StatusSnapshot {
        try read { (reader) throws(StateError) in try reader.statusSnapshot(now: now, windows: windows, latest: latest) }
    }

    /// The value kept under `key`, read in a write transaction of its own (only a transaction
    /// reads values).
    func storedValue(_ key: String) throws -> String? {
        try write { (tx) throws(StateError) in try tx.value(key) }
    }
}
