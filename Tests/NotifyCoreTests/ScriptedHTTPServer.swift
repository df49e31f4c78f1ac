import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 (plain HTTP) standing in for an API other than
/// SMSPartner's (Alertmanager's, Icinga 2's): it records every request as it arrived and answers
/// each with the next queued reply, else the fallback one, then closes the connection.
///
/// ```swift
/// let server = try await ScriptedHTTPServer.start(fallback: .init(status: 200, body: "{}"))
/// defer { Task { try? await server.shutdown() } }
/// server.enqueue(.init(status: 409, body: #"{"results":[{"code":409,"status":"Service web-01!http is OK."}]}"#))
/// // point the client under test at server.url …
/// ```
final class ScriptedHTTPServer: Sendable {
    /// One request as it arrived.
    struct Request: Sendable {
        var method: String
        /// Path and raw query, as sent (`/api/v2/alerts?filter=…`).
        var uri: String
        /// Header fields in arrival order, names lower-cased (repeated fields kept).
        var headerFields: [(name: String, value: String)]
        var body: [UInt8]

        /// Header fields by lower-cased name; of a repeated field, the last value.
        var headers: [String: String] {
            Dictionary(headerFields.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        }

        /// Every value of the header `name` (any case), in arrival order.
        func header(_ name: String) -> [String] {
            headerFields.filter { $0.name == name.lowercased() }.map(\.value)
        }

        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// One answer.
    struct Reply: Sendable {
        var status: Int
        var body: String
        var contentType = "application/json"
    }

    /// Requests and replies, shared with the connections' handlers.
    final class Script: Sendable {
        private struct State {
            var requests: [Request] = []
            var queue: [Reply] = []
            var fallback: Reply
        }

        private let state: Mutex<State>

        init(fallback: Reply) { state = Mutex(State(fallback: fallback)) }

        /// Records `request`; the reply it gets.
        func answer(_ request: Request) -> Reply {
            state.withLock { state in
                state.requests.append(request)
                return state.queue.isEmpty ? state.fallback : state.queue.removeFirst()
            }
        }

        func enqueue(_ replies: [Reply]) { state.withLock { $0.queue += replies } }
        var requests: [Request] { state.withLock { $0.requests } }
    }

    let port: Int
    private let script: Script
    private let channel: any Channel

    /// `http://127.0.0.1:<port>`.
    var url: String { "http://127.0.0.1:\(port)" }
    /// Every request so far, in arrival order.
    var requests: [Request] { script.requests }

    private init(port: Int, script: Script, channel: any Channel) {
        self.port = port
        self.script = script
        self.channel = channel
    }

    deinit { channel.close(promise: nil) }

    /// Listens on a free loopback port; `fallback` answers whatever nothing was queued for.
    static func start(fallback: Reply = Reply(status: 404, body: #""not found""#)) async throws -> ScriptedHTTPServer {
        let script = Script(fallback: fallback)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return ScriptedHTTPServer(port: port, script: script, channel: channel)
    }

    /// Answers the next requests with `replies`, in order, then with the fallback again.
    func enqueue(_ replies: Reply...) { script.enqueue(replies) }

    /// Stops listening (also done, without waiting, when the server is released).
    func shutdown() async throws {
        try await channel.close()
    }

    /// Collects one request, answers it, closes the connection.
    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let script: Script
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(script: Script) { self.script = script }

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
                let fields = requestHead.headers.map { (name: $0.name.lowercased(), value: $0.value) }
                let reply = script.answer(Request(method: requestHead.method.rawValue, uri: requestHead.uri, headerFields: fields, body: body))
                let bytes = Array(reply.body.utf8)
                var responseHeaders = HTTPHeaders()
                responseHeaders.add(name: "Content-Type", value: reply.contentType)
                responseHeaders.add(name: "Content-Length", value: String(bytes.count))
                responseHeaders.add(name: "Connection", value: "close")
                let responseHead = HTTPResponseHead(version: requestHead.version, status: HTTPResponseStatus(statusCode: reply.status),
                                                    headers: responseHeaders)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
