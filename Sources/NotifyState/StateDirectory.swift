#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the state lives: `--state-dir`, else `SMSPARTNER_STATE_DIR`, else
/// `/var/lib/smspartner-notify` when this user may write there (or create it), else
/// `$XDG_STATE_HOME/smspartner-notify` (`~/.local/state/smspartner-notify`).
public enum StateDirectory {
    /// The system-wide default.
    public static let system = "/var/lib/smspartner-notify"

    /// The directory to use.
    public static func resolve(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let named = environment["SMSPARTNER_STATE_DIR"], !named.isEmpty { return named }
        if isWritableOrCreatable(system) { return system }
        let xdg = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/.local/state"
        return xdg + "/smspartner-notify"
    }

    /// Creates `path` (and missing parents) mode 0700 unless it exists; checks that it is a
    /// directory this user can write in.
    public static func prepare(_ path: String) throws(StateError) {
        var status = stat()
        if stat(path, &status) != 0 {
            guard errno == ENOENT else {
                throw .unusableDirectory(path: path, reason: describe(errno: errno))
            }
            try create(path)
            return
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw .unusableDirectory(path: path, reason: "not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .unusableDirectory(path: path, reason: describe(errno: errno))
        }
    }

    static func create(_ path: String) throws(StateError) {
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty && !path.hasPrefix("/") ? "" : "/") + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .unusableDirectory(path: path, reason: "cannot create \(prefix): \(describe(errno: errno))")
            }
        }
    }

    /// Opens `path` read-write, creating it if missing: mode 0600, or 0660 in a directory shared
    /// by a group (group-writable and set-group-ID, as the package makes
    /// `/var/lib/smspartner-notify`: 2770 with the `smspartner-notify` group), so that every
    /// member of the group shares the store whatever its umask. A shared file is created under
    /// a temporary name with its mode set, then linked into place: no member ever sees it 0600.
    /// SQLite gives the -wal and -shm files the database file's mode. -1 and `errno` on failure.
    public static func openCreating(_ path: String) -> Int32 {
        let existing = open(path, O_RDWR | O_CLOEXEC)
        if existing >= 0 || errno != ENOENT { return existing }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        var status = stat()
        let shared = stat(directory.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : directory, &status) == 0
            && status.st_mode & S_IWGRP != 0 && status.st_mode & S_ISGID != 0
        guard shared else { return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        let temporary = "\(path).\(getpid()).new"
        let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return -1 }
        close(fd)
        _ = chmod(temporary, 0o660)
        let linked = link(temporary, path) == 0 || errno == EEXIST  // EEXIST: another process was first
        let code = errno
        unlink(temporary)
        guard linked else {
            errno = code
            return -1
        }
        return open(path, O_RDWR | O_CLOEXEC)
    }

    /// Whether this user may create files in the directory `path`.
    public static func isWritable(_ path: String) -> Bool {
        access(path, W_OK | X_OK) == 0
    }

    static func isWritableOrCreatable(_ path: String) -> Bool {
        if access(path, F_OK) == 0 { return access(path, W_OK | X_OK) == 0 }
        let parent = path.split(separator: "/").dropLast().joined(separator: "/")
        return access("/" + parent, W_OK | X_OK) == 0
    }

    /// `strerror` for an errno value.
    public static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text).lowercased()
    }
}
