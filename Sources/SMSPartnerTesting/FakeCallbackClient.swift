import NIOCore
import NIOHTTP1
import NIOPosix

/// The small HTTP/1.1 client ``FakeSMSPartner`` calls `urlDlr` with: one request per
/// connection (`Connection: close`), `http://` URLs to `127.0.0.1` or `localhost` only.
/// Everything runs on NIO's event loops; the caller only awaits.
enum FakeCallbackClient {
    /// Where a URL points.
    struct Target: Sendable, Equatable {
        /// The `Host` header: the URL's host and port as written.
        let host: String
        let port: Int
        /// The request target: the path (at least `/`) and query.
        let pathAndQuery: String
    }

    /// Why no response came.
    enum Failure: Error, Sendable, CustomStringConvertible {
        case unsupportedURL(String)
        case connection(String)
        case noResponse

        var description: String {
            switch self {
            case .unsupportedURL(let url): "unsupported callback URL \(url) (only http:// to 127.0.0.1 or localhost)"
            case .connection(let text): "connection failed: \(text)"
            case .noResponse: "the connection closed (or timed out) without a complete response"
            }
        }
    }

    /// The target of an `http://127.0.0.1[:port]/…` or `http://localhost[:port]/…` URL, or nil.
    static func target(of url: String) -> Target? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<pathStart]
        let hostAndPort = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let host = hostAndPort.first, host == "127.0.0.1" || host.lowercased() == "localhost" else { return nil }
        var port = 80
        if hostAndPort.count == 2 {
            guard let written = Int(hostAndPort[1]), (1...65535).contains(written) else { return nil }
            port = written
        }
        var path = String(rest[pathStart...])
        if !path.hasPrefix("/") { path = "/" + path }
        return Target(host: String(authority), port: port, pathAndQuery: path)
    }

    /// Sends one request on `loop` and completes with the response's HTTP status; gives up
    /// after `timeout`. Futures on the event loop, not a task: a test that holds the
    /// concurrency pool's threads must not hold back a callback.
    static func send(
        method: HTTPMethod, url: String, contentType: String?, body: [UInt8], timeout: Duration, on loop: any EventLoop
    ) -> EventLoopFuture<Int> {
        guard let target = target(of: url) else { return loop.makeFailedFuture(Failure.unsupportedURL(url)) }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.host)
        headers.add(name: "User-Agent", value: "fake-smspartner")
        headers.add(name: "Connection", value: "close")
        if method == .POST {
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
            headers.add(name: "Content-Length", value: String(body.count))
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: target.pathAndQuery, headers: headers)
        let promise = loop.makePromise(of: Int.self)
        return ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(FakeCallbackExchange(head: head, body: body, promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: target.port)
            .flatMapError { error in
                promise.fail(Failure.connection("\(error)"))
                return loop.makeFailedFuture(Failure.connection("\(error)"))
            }
            .flatMap { channel in
                let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { channel.close(promise: nil) }
                return promise.futureResult.always { _ in timer.cancel() }
            }
            .flatMapErrorThrowing { error in
                throw (error as? Failure) ?? Failure.connection("\(error)")
            }
    }
}

/// Writes one request when the connection opens and completes `promise` with the response's
/// status once the response has ended (or with a failure when the connection ends first).
private final class FakeCallbackExchange: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: [UInt8]
    private let promise: EventLoopPromise<Int>
    private var status: Int?

    init(head: HTTPRequestHead, body: [UInt8], promise: EventLoopPromise<Int>) {
        self.head = head
        self.body = body
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            status = Int(responseHead.status.code)
        case .body:
            break
        case .end:
            if let status { promise.succeed(status) } else { promise.fail(FakeCallbackClient.Failure.noResponse) }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Completing a completed promise does nothing: a response that ended wins.
        promise.fail(FakeCallbackClient.Failure.noResponse)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(FakeCallbackClient.Failure.noResponse)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(FakeCallbackClient.Failure.connection("\(error)"))
        context.close(promise: nil)
    }
}
