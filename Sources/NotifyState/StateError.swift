/// Why the state store could not be used. Every case names the file or directory and says
/// what to do.
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state directory does not exist and cannot be created, or is not writable.
    case unusableDirectory(path: String, reason: String)
    /// The database file cannot be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The database (or its directory) is read-only for this user.
    case readOnly(path: String)
    /// The file is not a SQLite database, or is damaged.
    case corrupt(path: String, reason: String)
    /// Another process held the database for longer than the busy timeout.
    case busy(path: String, waited: Duration)
    /// The database was written by a newer version of the tool.
    case newerSchema(path: String)
    /// The disk is full.
    case full(path: String)
    /// The database server cannot be reached (down, restarting, refusing connections): a
    /// shared store (PostgreSQL) that is expected back.
    case unavailable(path: String, reason: String)
    /// Any other failure of the store.
    case failed(path: String, reason: String)

    /// Whether trying again later may succeed on its own.
    public var isTransient: Bool {
        switch self {
        case .busy, .unavailable: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .unusableDirectory(let path, let reason):
            "state directory \(path) is unusable (\(reason)); make it writable for this user or choose another with --state-dir or SMSPARTNER_STATE_DIR"
        case .cannotOpen(let path, let reason):
            "cannot open the state database \(path) (\(reason)); check its permissions or choose another --state-dir"
        case .readOnly(let path):
            "the state database \(path) is read-only for this user; make it and its directory writable, or choose another --state-dir"
        case .corrupt(let path, let reason):
            "the state database \(path) is damaged (\(reason)); move it aside (a new one is created) and keep it for inspection"
        case .busy(let path, let waited):
            "the state database \(path) stayed locked by another process for \(waited.components.seconds) s; try again"
        case .newerSchema(let path):
            "the state database \(path) was written by a newer smspartner-notify; upgrade this one or choose another --state-dir"
        case .full(let path):
            "no space left for the state database \(path); free some disk space"
        case .unavailable(let path, let reason):
            "the state database \(path) cannot be reached (\(reason)); it is tried again on the next use"
        case .failed(let path, let reason):
            "the state database \(path) failed: \(reason)"
        }
    }
}
