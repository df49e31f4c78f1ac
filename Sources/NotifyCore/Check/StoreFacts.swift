import NotifyState

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `check` learnt of the state store, without changing it.
public enum StoreFacts: Sendable, Equatable {
    /// What the store holds.
    public struct Reading: Sendable, Equatable {
        /// The outbox and the last success (no windows, no latest decisions).
        public var snapshot: StatusSnapshot
        /// The delivery reports of the SMS sent over the check's window.
        public var receipts: ReceiptSummary
        /// When the oldest delivery decided after the last success that has not gone out was
        /// decided (nil: every one went out).
        public var firstUnsent: Timestamp?

        public init(snapshot: StatusSnapshot, receipts: ReceiptSummary, firstUnsent: Timestamp?) {
            self.snapshot = snapshot
            self.receipts = receipts
            self.firstUnsent = firstUnsent
        }
    }

    /// No store yet (a fresh install where nothing ran): nothing to judge, and no error.
    case noState
    /// The store could not be opened, read or written.
    case unusable(StateError)
    /// The store was read, and a write to it was rolled back.
    case read(Reading)

    /// How long a receipt may stay `accepted` before it counts as missing (as `status` says).
    public static let reportExpectedWithin = Duration.seconds(3600)

    /// Reads the store in `directory` as of `now`, waiting at most `busyTimeout` for a lock,
    /// and proves it can be written by a write that is rolled back. Creates nothing: no
    /// directory and no database is ``noState``.
    public static func read(_ settings: Settings, directory: String, now: Timestamp, window: Duration, busyTimeout: Duration) -> StoreFacts {
        do {
            if let postgres = try settings.postgresStore(busyTimeout: busyTimeout, server: false) {
                return .read(try read(postgres, now: now, window: window))
            }
            guard try SQLiteStateStore(readOnlyIn: directory, busyTimeout: busyTimeout) != nil else {
                if access(directory, F_OK) == 0, !StateDirectory.isWritable(directory) {
                    return .unusable(.unusableDirectory(path: directory, reason: "not writable for this user"))
                }
                return .noState
            }
            return .read(try read(SQLiteStateStore(directory: directory, busyTimeout: busyTimeout), now: now, window: window))
        } catch {
            return .unusable(error)
        }
    }

    /// Reads `store`, then proves it can be written by a write that is rolled back.
    static func read(_ store: any StateStore, now: Timestamp, window: Duration) throws(StateError) -> Reading {
        let reading = try store.read { (reader) throws(StateError) in
            let snapshot = try reader.statusSnapshot(now: now, windows: [], latest: 0)
            return Reading(
                snapshot: snapshot,
                receipts: try reader.receiptSummary(sentSince: now - window, staleBefore: now - reportExpectedWithin),
                firstUnsent: try reader.firstUnsentDecision(after: snapshot.lastSent))
        }
        try store.probeWrite(String(now.milliseconds), for: "check.probe", keep: false)
        return reading
    }
}
