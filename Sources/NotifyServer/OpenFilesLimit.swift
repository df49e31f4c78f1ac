#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The open-files limit (`RLIMIT_NOFILE`) `serve` runs under, and the connections it may hold
/// under it.
public enum OpenFilesLimit {
    /// Descriptors kept for what is not a connection: the state database (one writer, a few
    /// readers, each with its WAL and shared memory), the lock file, event loops and their
    /// timers, the delivery client's connections, standard streams.
    public static let reserve = 64

    /// Raises the soft limit to the hard one, as Go's runtime does at start (systemd's default
    /// soft limit, 1,024, is meant for programs that still use `select`; `serve` does not, and
    /// its hard limit is 524,288), and returns the soft limit in force (nil: unknown).
    @discardableResult
    public static func raise() -> Int? {
        var limit = rlimit()
        guard get(&limit) else { return nil }
        var wanted = limit.rlim_max
        #if canImport(Darwin)
        wanted = min(wanted, rlim_t(OPEN_MAX))  // Darwin refuses more than OPEN_MAX
        #endif
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if set(&raised) { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The connections `serve` may hold: `configured` (`serve.max_connections`), or fewer, so
    /// that `reserve` descriptors stay free under a soft limit of `limit`.
    public static func connectionCap(configured: Int, limit: Int?) -> Int {
        guard let limit else { return max(1, configured) }
        return max(1, min(configured, limit - reserve))
    }

    private static func get(_ limit: inout rlimit) -> Bool {
        #if canImport(Glibc)
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
        #else
        getrlimit(RLIMIT_NOFILE, &limit) == 0
        #endif
    }

    private static func set(_ limit: inout rlimit) -> Bool {
        #if canImport(Glibc)
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
        #else
        setrlimit(RLIMIT_NOFILE, &limit) == 0
        #endif
    }
}
