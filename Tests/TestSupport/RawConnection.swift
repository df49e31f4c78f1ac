import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One TCP connection to 127.0.0.1 on a plain blocking socket, an HTTP/1.1 client independent
/// of libcurl and SwiftNIO, for what they will not do: send a request by halves or byte for
/// byte, hold a connection without sending anything, send many requests on one connection,
/// and see when the server closes it. Every call blocks (each has a timeout): run them through
/// ``OwnThread/run(_:)``.
public final class RawConnection: Sendable {
    private let descriptor: Int32
    private let closed = Atomic<Bool>(false)
    /// What was read past the last response.
    private let pending = Mutex<[UInt8]>([])

    public enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case malformed(String)

        public var description: String {
            switch self {
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            case .malformed(let what): "malformed response: \(what)"
            }
        }
    }

    /// A response: status, lower-cased header names, body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        /// Whether a `100 Continue` came before it.
        public var sawContinue = false
        /// When it was read, on the reading thread (a busy concurrency pool cannot delay this).
        public var readAt = ContinuousClock.now

        public var text: String { String(decoding: body, as: UTF8.self) }

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    /// Connects (at most `timeout`, which is also the timeout of every later read and write).
    public init(port: Int, timeout: Duration = .seconds(20)) throws {
        descriptor = socket(AF_INET, Self.streamSocket, 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        let seconds = timeout.components.seconds
        var interval = timeval(tv_sec: Int(seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            // Through close(), which marks it closed: deinit runs after a throwing init whose
            // properties are all set, and closing the number twice closed whatever descriptor
            // another thread had been given meanwhile (SwiftNIO's, which then crashed on it).
            close()
            throw Failure.system("connect to port \(port)", code)
        }
    }

    deinit { close() }

    public func close() {
        if !closed.exchange(true, ordering: .relaxed) { Self.systemClose(descriptor) }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Self.systemSend(descriptor, $0.baseAddress, $0.count) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw Failure.system("send", errno) }
            offset += sent
        }
    }

    /// Reads one response (with a `Content-Length`; a `100 Continue` before it is skipped and
    /// noted); throws if the connection closes first.
    public func readResponse() throws -> Response {
        guard let response = try readResponseUnlessClosed() else { throw Failure.malformed("the connection closed") }
        return response
    }

    /// Reads one response, as ``readResponse()``; nil if the connection closes before any byte
    /// of it.
    public func readResponseUnlessClosed() throws -> Response? {
        var buffer = pending.withLock { $0 }
        defer { pending.withLock { $0 = buffer } }
        /// Reads more bytes; false at the end of the stream.
        func fill() throws -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { throw Failure.system("recv", errno) }
            buffer += chunk[..<count]
            return count > 0
        }
        var sawContinue = false
        while true {
            var headEnd = buffer.firstRange(of: [13, 10, 13, 10])?.lowerBound
            while headEnd == nil {
                guard try fill() else {
                    if buffer.isEmpty { return nil }
                    throw Failure.malformed("the connection closed inside the head")
                }
                headEnd = buffer.firstRange(of: [13, 10, 13, 10])?.lowerBound
            }
            let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
            let bodyStart = headEnd! + 4
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
            if status == 100 {
                sawContinue = true
                buffer.removeFirst(bodyStart)
                continue
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < bodyStart + length {
                guard try fill() else { throw Failure.malformed("the connection closed inside the body") }
            }
            let body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return Response(status: status, headers: headers, body: body, sawContinue: sawContinue)
        }
    }

    /// One request and its response on this connection (kept open).
    public func request(_ method: String, _ path: String, headers: [String] = [], body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += header + "\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
        return try readResponse()
    }

    /// Whether the server closed the connection (end of file or reset) within the read
    /// timeout, reading and discarding whatever it sends first.
    public func closedByPeer() -> Bool {
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
    public func isOpenAndSilent() -> Bool {
        var byte: UInt8 = 0
        let peeked = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    // MARK: - Loopback ports

    /// A port of 127.0.0.1 that nothing listens on now: the one the system gives a socket bound
    /// to port 0, closed again (a connection to it is refused; a server may take it).
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, streamSocket, 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        defer { systemClose(descriptor) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw Failure.system("bind to a free port", errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` now.
    public static func accepts(port: Int) -> Bool {
        guard let connection = try? RawConnection(port: port, timeout: .seconds(5)) else { return false }
        connection.close()
        return true
    }

    /// The address of 127.0.0.1:`port`.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    // MARK: - The system calls this class's own `send` and `close` hide

    #if canImport(Glibc)
    static let streamSocket = Int32(SOCK_STREAM.rawValue)

    private static func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    }

    static func systemClose(_ descriptor: Int32) { _ = Glibc.close(descriptor) }
    #else
    static let streamSocket = SOCK_STREAM

    private static func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        Darwin.send(descriptor, bytes, count, 0)
    }

    static func systemClose(_ descriptor: Int32) { _ = Darwin.close(descriptor) }
    #endif
}
