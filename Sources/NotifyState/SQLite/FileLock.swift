import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, waited for in the kernel, within a timeout.
///
/// Every writer takes it around its transaction, so that in a storm of hundreds of processes
/// the waiters sleep in the kernel and the lock goes straight to the next one, instead of each
/// polling SQLite's lock (on a loaded machine, pollers crowd out the holder and the lock sits
/// idle between polls). The kernel drops the lock of a process that dies, `kill -9` included.
///
/// A blocking `flock` has no timeout of its own: a watchdog thread interrupts the waiting
/// thread with a signal (`SIGUSR2`, whose handler does nothing) once the time is up.
struct FileLock {
    let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    /// The lock if nobody holds it now; nil (without waiting) if somebody does.
    static func tryLock(path: String) -> FileLock? {
        let fd = StateDirectory.openCreating(path)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return FileLock(fd: fd)
    }

    init(path: String, timeout: Duration) throws(StateError) {
        if let free = Self.tryLock(path: path) {  // the usual case: nobody holds it
            self = free
            return
        }
        let fd = StateDirectory.openCreating(path)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: StateDirectory.describe(errno: errno))
        }
        Self.installInterruptHandler()
        // Dispatch's and the concurrency pool's threads block most signals: let this one in
        // while waiting (the previous mask comes back in stop()).
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGUSR2)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &interrupt, &previousMask)
        let deadline = ContinuousClock.now + timeout
        let watchdog = Watchdog(waiter: pthread_self(), deadline: deadline)
        defer { watchdog.stop(restoring: previousMask) }
        while flock(fd, LOCK_EX) != 0 {
            let code = errno
            if code == EINTR && ContinuousClock.now < deadline { continue }
            close(fd)
            if code == EINTR { throw .busy(path: path, waited: timeout) }
            throw .failed(path: path, reason: "cannot lock: \(StateDirectory.describe(errno: code))")
        }
        self.fd = fd
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// A no-op handler for SIGUSR2 without `SA_RESTART`, so that the signal makes a blocked
    /// `flock` return `EINTR`. Installed once per process.
    static func installInterruptHandler() {
        _ = interruptHandlerInstalled
    }

    private static let interruptHandlerInstalled: Bool = {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in }
        #else
        action.__sigaction_u.__sa_handler = { _ in }
        #endif
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        return sigaction(SIGUSR2, &action, nil) == 0
    }()

    /// Signals `waiter` from the deadline on, every 10 ms, until stopped.
    final class Watchdog: Sendable {
        private let stopped = Mutex(false)

        init(waiter: pthread_t, deadline: ContinuousClock.Instant) {
            let thread = Thread { [self] in
                while true {
                    // Checked and signalled under the lock: once stop() returns, no signal is sent.
                    let done = stopped.withLock { stopped in
                        if !stopped && ContinuousClock.now >= deadline { pthread_kill(waiter, SIGUSR2) }
                        return stopped
                    }
                    if done { return }
                    usleep(10_000)
                }
            }
            thread.start()
        }

        /// Stops the signals, takes any that is still pending for this thread (so it cannot
        /// interrupt a later system call), and puts back the thread's signal mask.
        func stop(restoring mask: sigset_t) {
            stopped.withLock { $0 = true }
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGUSR2)
            pthread_sigmask(SIG_BLOCK, &set, nil)
            var none = timespec()
            while sigtimedwait(&set, nil, &none) == SIGUSR2 {}
            var mask = mask
            pthread_sigmask(SIG_SETMASK, &mask, nil)
        }
    }
}
