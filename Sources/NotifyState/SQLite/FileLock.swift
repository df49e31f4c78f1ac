#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, taken within a timeout (polling, so a stuck holder turns
/// into a ``StateError/busy(path:waited:)``, never a hang).
struct FileLock {
    let fd: Int32

    init(path: String, timeout: Duration) throws(StateError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: StateDirectory.describe(errno: errno))
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw .failed(path: path, reason: "cannot lock: \(StateDirectory.describe(errno: code))")
            }
            guard clock.now < deadline else {
                close(fd)
                throw .busy(path: path, waited: timeout)
            }
            usleep(5_000)
        }
        self.fd = fd
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
