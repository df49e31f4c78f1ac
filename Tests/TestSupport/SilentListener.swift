#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port of 127.0.0.1 that takes connections and never says a word: the kernel completes
/// each handshake into the listen backlog and nothing accepts it. A client connects, sends,
/// and waits for an answer that never comes (a server that hangs, a black-holed network).
public final class SilentListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        let descriptor = socket(AF_INET, RawConnection.streamSocket, 0)
        guard descriptor >= 0 else { throw RawConnection.Failure.system("socket", errno) }
        var address = RawConnection.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 64) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard listening else {
            let error = errno
            RawConnection.systemClose(descriptor)
            throw RawConnection.Failure.system("listen on a free port", error)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        RawConnection.systemClose(descriptor)
    }
}
