#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads small files (configuration, key files) and standard input with POSIX calls, so errors
/// carry the system's own reason.
public enum FileReader {
    /// Why a read failed.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case system(path: String, reason: String)
        case tooLarge(path: String, limit: Int)
        case notUTF8(path: String)
        case timedOut(path: String, after: Duration)

        public var description: String {
            switch self {
            case .system(let path, let reason): "cannot read \(path): \(reason)"
            case .tooLarge(let path, let limit): "\(path) is larger than \(limit) bytes"
            case .notUTF8(let path): "\(path) is not UTF-8 text"
            case .timedOut(let path, let after): "nothing arrived on \(path) within \(after.components.seconds) s"
            }
        }
    }

    /// The whole file as UTF-8 text.
    public static func read(path: String, limit: Int = 1 << 20) throws(Failure) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path: path, reason: lastError()) }
        defer { close(fd) }
        let bytes = try readAll(fd: fd, name: path, limit: limit, timeout: nil)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(path: path) }
        return text
    }

    /// Whether a regular file exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads standard input to its end, waiting at most `timeout` for it to close.
    public static func readStandardInput(limit: Int = 1 << 20, timeout: Duration) throws(Failure) -> [UInt8] {
        try readAll(fd: STDIN_FILENO, name: "standard input", limit: limit, timeout: timeout)
    }

    /// Whether standard input is a terminal (then nobody is piping an alert in).
    public static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    static func readAll(fd: Int32, name: String, limit: Int, timeout: Duration?) throws(Failure) -> [UInt8] {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let deadline {
                let left = deadline - ContinuousClock.now
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ms = max(0, Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
                let ready = poll(&pfd, 1, ms)
                if ready == 0 { throw .timedOut(path: name, after: timeout ?? .zero) }
                if ready < 0 {
                    if errno == EINTR { continue }
                    throw .system(path: name, reason: lastError())
                }
            }
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n == 0 { return result }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .system(path: name, reason: lastError())
            }
            guard result.count + n <= limit else { throw .tooLarge(path: name, limit: limit) }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `read(2)`, named apart from ``FileReader/read(path:limit:)``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
