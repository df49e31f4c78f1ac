import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starting a test's child process (a monitoring daemon, a PostgreSQL server) with
/// `posix_spawn`, clean of the test runner's state.
///
/// Not `Process`: a child inherits the signal mask it is spawned with, and one started by
/// `Process` in the test runner came up with nearly every signal blocked (SIGTERM included) and
/// SIGPIPE ignored. And no descriptor of the runner's: posix_spawn passes on every descriptor
/// without FD_CLOEXEC, and SwiftNIO accepts connections without it, so a daemon spawned while a
/// fake SMSPartner of another test had a connection open kept that connection alive, and the
/// fake's close of it never reached the client (a 20 s read timeout in FakeSMSPartnerTests'
/// dropConnectionWritesNothing, in 2 of 9 full runs).
public enum ChildSpawn {
    /// Why a child could not be started: `posix_spawn`'s error number.
    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "posix_spawn: \(String(cString: strerror(code)))" }
    }

    /// Starts `command` (an absolute path and its arguments) with exactly `environment`, in
    /// `directory` (else this process's), standard input from /dev/null, standard output to the
    /// file `output` (appended to when `append`) and standard error to `errors` (or with the
    /// output), an empty signal mask, default signal dispositions and no other descriptor of
    /// this process; its PID.
    public static func spawn(
        _ command: [String], environment: [String: String], directory: String? = nil, output: String, errors: String? = nil,
        append: Bool = false
    ) throws(Failure) -> pid_t {
        guard let executable = command.first else { throw Failure(code: EINVAL) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let directory, let addChdir = GlibcSpawnActions.addChdir { _ = addChdir(&actions, directory) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // glibc's closefrom action when it has one, which also covers a descriptor opened by
        // another thread meanwhile; else each open descriptor by name (one closed meanwhile is
        // skipped by glibc).
        let closedFrom3 = GlibcSpawnActions.addCloseFrom.map { $0(&actions, 3) == 0 } ?? false
        if !closedFrom3 {
            let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
            for descriptor in open where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let variables = environment.map { "\($0.key)=\($0.value)" }
        let result = withCStringArray(command) { argv in
            withCStringArray(variables) { envp in
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        guard result == 0 else { throw Failure(code: result) }
        return pid
    }

    /// Calls `body` with `strings` as a NULL-terminated array of C strings (an `argv` or `envp`).
    static func withCStringArray<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29) and `_addclosefrom_np` (2.34): its
    /// header declares them only for `_GNU_SOURCE`, so Swift does not see them; looked up by name.
    enum GlibcSpawnActions {
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

        static var addChdir: AddChdir? {
            dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
        }

        static var addCloseFrom: AddCloseFrom? {
            dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
        }
    }
}
