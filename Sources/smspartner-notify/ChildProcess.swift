import NotifyCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command `run` wraps, run without a shell: spawned with `posix_spawnp` in a process
/// group of its own, standard input inherited, standard output and error read through pipes,
/// echoed to ours as they come and kept (``OutputTail``).
///
/// - A timeout sends SIGTERM to the whole group, then SIGKILL after ``grace``; the group is
///   killed before the command is reaped, while its ID cannot be reused.
/// - SIGTERM, SIGINT and SIGHUP that `run` receives are passed on to the group
///   (``Outcome/interruptedBy``).
struct ChildProcess {
    /// How a run ended, with what the command wrote.
    struct Outcome {
        var termination: RunResult.Termination
        var stdout: OutputTail
        var stderr: OutputTail
        /// The signal `run` received and passed on to the command, if any.
        var interruptedBy: Int32?
    }

    /// A command that could not be started: `errno` of `posix_spawnp`.
    struct SpawnError: Error {
        var code: Int32
        /// 127 when it does not exist, 126 when it cannot be executed, as shells say.
        var exitStatus: Int32 { code == ENOENT || code == ENOTDIR ? 127 : 126 }
        var description: String { String(cString: strerror(code)) }
    }

    var arguments: [String]
    var timeout: Duration?
    /// How long the group has to end after SIGTERM, before SIGKILL.
    var grace: Duration = .seconds(5)

    /// The group of the command running, for the signal handler (0: none).
    private static let group = Atomic<Int32>(0)
    /// The last signal received and passed on (0: none).
    private static let received = Atomic<Int32>(0)

    /// Runs the command to its end.
    func run() throws(SpawnError) -> Outcome {
        // An ignored SIGCHLD (inherited across exec) would have the system reap the command,
        // and its status lost: taken back to the default first.
        signal(SIGCHLD, SIG_DFL)
        let (outRead, outWrite) = try Self.makePipe()
        let (errRead, errWrite) = try Self.makePipe()
        let pid: pid_t
        do {
            pid = try spawn(stdout: outWrite, stderr: errWrite)
        } catch {
            for fd in [outRead, outWrite, errRead, errWrite] { close(fd) }
            throw error
        }
        close(outWrite)
        close(errWrite)
        Self.group.store(pid, ordering: .sequentiallyConsistent)
        Self.installForwarding()
        defer { Self.group.store(0, ordering: .sequentiallyConsistent) }

        var outcome = Outcome(termination: .exited(0), stdout: OutputTail(), stderr: OutputTail())
        var streams: [(fd: Int32, echo: Int32, open: Bool)] = [(outRead, STDOUT_FILENO, true), (errRead, STDERR_FILENO, true)]
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var killAt: ContinuousClock.Instant?
        var timedOut = false
        var exitedAt: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            // The command ended (not reaped yet): what it wrote is drained, for a moment more
            // when a process it left behind keeps the pipes open.
            if exitedAt == nil, Self.hasExited(pid) {
                exitedAt = clock.now
                if timedOut { kill(-pid, SIGKILL) }
            }
            if let exitedAt, !streams.contains(where: \.open) || clock.now - exitedAt > .milliseconds(500) { break }
            if let deadline, !timedOut, clock.now >= deadline {
                timedOut = true
                kill(-pid, SIGTERM)
                killAt = clock.now + grace
            }
            if let due = killAt, clock.now >= due, exitedAt == nil {
                kill(-pid, SIGKILL)
                killAt = nil
            }
            var fds = streams.filter(\.open).map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let wait = fds.isEmpty ? 50 : 100
            let ready = poll(&fds, nfds_t(fds.count), Int32(wait))
            if ready < 0 && errno != EINTR { break }
            for polled in fds where polled.revents != 0 {
                guard let index = streams.firstIndex(where: { $0.fd == polled.fd }) else { continue }
                let count = buffer.withUnsafeMutableBytes { read(polled.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    let bytes = buffer[..<count]
                    Self.echo(bytes, to: streams[index].echo)
                    if index == 0 { outcome.stdout.append(bytes) } else { outcome.stderr.append(bytes) }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    streams[index].open = false
                }
            }
        }
        for stream in streams { close(stream.fd) }
        // The group is no longer ours to signal once its leader is reaped (its ID may be reused).
        Self.group.store(0, ordering: .sequentiallyConsistent)
        let reaped = Self.reap(pid)
        guard let status = reaped else {
            outcome.termination = timedOut ? .timedOut(seconds: Int(timeout?.components.seconds ?? 0)) : .lost
            return outcome
        }
        if timedOut, let timeout {
            outcome.termination = .timedOut(seconds: Int(timeout.components.seconds))
        } else if Self.exitedNormally(status) {
            outcome.termination = .exited(Self.exitCode(status))
        } else {
            outcome.termination = .signaled(status & 0x7f)
        }
        let signal = Self.received.load(ordering: .sequentiallyConsistent)
        outcome.interruptedBy = signal == 0 ? nil : signal
        return outcome
    }

    /// Spawns the command in its own group, its output to the pipes' write ends.
    private func spawn(stdout: Int32, stderr: Int32) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdout, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stderr, STDERR_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own group (a timeout kills it all), no signal blocked, every signal's default
        // action back (SIGPIPE is ignored here).
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        guard let path = argv.first ?? nil, !argv.dropLast().contains(where: { $0 == nil }) else { throw SpawnError(code: ENOMEM) }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, path, &actions, &attributes, argv, environ)
        guard code == 0 else { throw SpawnError(code: code) }
        return pid
    }

    /// A pipe whose ends are closed on exec (the command gets them as 1 and 2 only).
    private static func makePipe() throws(SpawnError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        // (`pipe2` is not in Glibc's Swift module: `run` spawns one command, from one thread.)
        guard pipe(&fds) == 0 else { throw SpawnError(code: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Whether `pid` has ended, without reaping it (its group ID stays taken).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return errno == ECHILD }
        return info._sifields._sigchld.si_pid != 0
    }

    /// Reaps `pid`: its wait status; nil when it cannot be had (never a success).
    private static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        return status
    }

    private static func exitedNormally(_ status: Int32) -> Bool { status & 0x7f == 0 }
    private static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xff }

    /// Writes `bytes` whole to `fd`; a reader that left (EPIPE) or an error drops them.
    private static func echo(_ bytes: ArraySlice<UInt8>, to fd: Int32) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            rest = rest.dropFirst(written)
        }
    }

    /// Passes SIGTERM, SIGINT and SIGHUP on to the command's group; ignores SIGPIPE (a reader
    /// of our output that left must not kill `run` before it reports).
    private static func installForwarding() {
        signal(SIGPIPE, SIG_IGN)
        for number in [SIGTERM, SIGINT, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                ChildProcess.received.store(number, ordering: .sequentiallyConsistent)
                let group = ChildProcess.group.load(ordering: .sequentiallyConsistent)
                if group > 0 { kill(-group, number) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        // A parent may have left them blocked (the mask is inherited): they must come through.
        var forwarded = sigset_t()
        sigemptyset(&forwarded)
        for number in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&forwarded, number) }
        pthread_sigmask(SIG_UNBLOCK, &forwarded, nil)
    }
}
