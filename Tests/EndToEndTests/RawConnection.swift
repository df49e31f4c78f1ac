import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to 127.0.0.1 on a plain blocking socket, for what libcurl will not do:
/// send a request by halves, hold a connection without sending anything, send many requests
/// on one connection, and see when the server closes it. Every call blocks (each has a
/// timeout): run them through ``RawConnection/blocking(_:)``.
final class RawConnection: Sendable {
    private let descriptor: Int32
    private let closed = Atomic<Bool>(false)

    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case malformed(String)

        var description: String {
            switch self {
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            case .malformed(let what): "malformed response: \(what)"
            }
        }
    }

    /// A response: status, lower-cased header names, body.
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Connects (at most `timeout`, which is also the timeout of every later read and write).
    init(port: Int, timeout: Duration = .seconds(20)) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        let seconds = timeout.components.seconds
        var interval = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw Failure.system("connect", code)
        }
    }

    deinit { close() }

    func close() {
        if !closed.exchange(true, ordering: .relaxed) { Glibc.close(descriptor) }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw Failure.system("send", errno) }
            offset += sent
        }
    }

    private let pending = Mutex<[UInt8]>([])

    /// Reads one response (with a `Content-Length`, as `serve` sends them).
    func readResponse() throws -> Response {
        var buffer = pending.withLock { $0 }
        func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw count == 0 ? Failure.malformed("the connection closed") : Failure.system("recv", errno) }
            buffer += chunk[..<count]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { buffer[$0..<($0 + 4)].elementsEqual(separator) }
            }
            if headEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length { try fill() }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        pending.withLock { $0 = Array(buffer[(bodyStart + length)...]) }
        return Response(status: status, headers: headers, body: body)
    }

    /// One request and its response on this connection (kept open).
    func request(_ method: String, _ path: String, headers: [String] = [], body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += header + "\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
        return try readResponse()
    }

    /// Whether the server closed the connection (end of file or reset) within the read
    /// timeout, reading and discarding whatever it sends first.
    func closedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { continue }
            if count < 0 && errno == EINTR { continue }
            return count == 0 || errno == ECONNRESET
        }
    }

    /// Whether the connection is still open, with nothing to read: the server neither
    /// answered nor closed it (does not wait).
    func isOpenAndSilent() -> Bool {
        var byte: UInt8 = 0
        let peeked = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// Runs blocking `work` on a thread of its own (not the cooperative pool).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
