import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A stand-in for Icinga 2's REST API on 127.0.0.1 (plain HTTP): it records every request and
/// answers each with the next scripted reply (status and JSON body), or the default one.
///
/// ```swift
/// let api = try await FakeIcingaAPI.start()
/// defer { Task { try? await api.shutdown() } }
/// api.enqueue(status: 409, body: #"{"results":[{"code":409,"status":"Service web-01!http is OK."}]}"#)
/// // point an Icinga2Acknowledger at api.baseURL …
/// ```
final class FakeIcingaAPI: Sendable {
    /// One request as it arrived.
    struct Request: Sendable {
        var method: String
        var uri: String
        /// Header fields in order, names lowercased.
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// The values of the header `name` (any case).
        func header(_ name: String) -> [String] {
            headers.filter { $0.name == name.lowercased() }.map(\.value)
        }

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// A scripted answer.
    struct Reply: Sendable {
        var status: Int
        var body: String
    }

    /// Icinga's answer to a successful `acknowledge-problem` on `web-01!http`.
    static let acknowledged = Reply(
        status: 200, body: #"{"results":[{"code":200.0,"status":"Successfully acknowledged problem for object 'web-01!http'."}]}"#)

    let port: Int
    /// `http://127.0.0.1:<port>`: a `two_way.icinga2.url`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let state: State
    private let channel: any Channel

    private init(state: State, channel: any Channel, port: Int) {
        self.state = state
        self.channel = channel
        self.port = port
    }

    /// Binds an ephemeral port on 127.0.0.1 and starts serving.
    static func start() async throws -> FakeIcingaAPI {
        let state = State()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return FakeIcingaAPI(state: state, channel: channel, port: port)
    }

    /// Answers the next requests with these replies, in order, then with the default again.
    func enqueue(status: Int, body: String) {
        state.replies.withLock { $0.queue.append(Reply(status: status, body: body)) }
    }

    /// Every request received, in order.
    var requests: [Request] { state.requests.withLock { $0 } }

    /// Stops listening.
    func shutdown() async throws {
        try await channel.close()
    }

    /// What the connections share.
    private final class State: Sendable {
        let replies = Mutex((queue: [Reply](), fallback: FakeIcingaAPI.acknowledged))
        let requests = Mutex([Request]())

        func answer(_ request: Request) -> Reply {
            requests.withLock { $0.append(request) }
            return replies.withLock { $0.queue.isEmpty ? $0.fallback : $0.queue.removeFirst() }
        }
    }

    /// Collects one request at a time and writes its reply, closing the connection after it.
    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let state: State
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(state: State) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body = []
            case .body(let chunk):
                body.append(contentsOf: chunk.readableBytesView)
            case .end:
                guard let requestHead = head else { return }
                head = nil
                let reply = state.answer(Request(
                    method: requestHead.method.rawValue, uri: requestHead.uri,
                    headers: requestHead.headers.map { (name: $0.name.lowercased(), value: $0.value) }, body: body))
                let bytes = Array(reply.body.utf8)
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(bytes.count))
                headers.add(name: "Connection", value: "close")
                let responseHead = HTTPResponseHead(
                    version: requestHead.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
