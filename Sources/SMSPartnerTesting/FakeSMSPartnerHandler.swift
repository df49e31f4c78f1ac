import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves one connection: collects each request, asks ``FakeSMSPartnerCore`` what to do, does it.
///
/// Runs behind NIO's HTTP server pipeline (with pipelining assistance, so keep-alive and
/// pipelined requests are answered in order, one at a time).
final class FakeSMSPartnerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: FakeSMSPartnerCore
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var isOpen = true
    private var scheduled: [Scheduled<Void>] = []

    init(core: FakeSMSPartnerCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            bodyTooLarge = false
            if requestHead.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: requestHead.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(let chunk):
            if body.count + chunk.readableBytes > FakeSMSPartnerCore.maxBodySize {
                bodyTooLarge = true
                body = []
            } else if !bodyTooLarge {
                body.append(contentsOf: chunk.readableBytesView)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let incoming = FakeSMSPartnerCore.Incoming(
                method: requestHead.method.rawValue,
                uri: requestHead.uri,
                headerFields: requestHead.headers.map { (name: $0.name.lowercased(), value: $0.value) },
                body: body,
                bodyTooLarge: bodyTooLarge)
            body = []
            let action = core.handle(incoming)
            perform(action, context: context, request: requestHead)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        cancelScheduled()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        isOpen = false
        cancelScheduled()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the peer or a protocol error: nothing more to answer on this connection.
        context.close(promise: nil)
    }

    private func cancelScheduled() {
        for task in scheduled { task.cancel() }
        scheduled = []
    }

    private func perform(_ action: FakeAction, context: ChannelHandlerContext, request: HTTPRequestHead) {
        guard isOpen else { return }
        switch action {
        case .respond(let response):
            write(response, context: context, request: request)
        case .delay(let duration, let next):
            let task = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) {
                self.perform(next, context: context, request: request)
            }
            scheduled.append(task)
        case .later(let duration, let resolve):
            // Not cancelled when the connection closes: the provider acts on the request anyway.
            context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(duration)) {
                let next = resolve()
                self.perform(next, context: context, request: request)
            }
        case .drop:
            context.close(promise: nil)
        case .reset:
            guard let socket = context.channel as? any SocketOptionProvider else {
                context.close(promise: nil)
                return
            }
            socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .closeAfterHeaders:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: FakeResponse.jsonContentType)
            headers.add(name: "Content-Length", value: "100")
            let responseHead = HTTPResponseHead(version: request.version, status: .ok, headers: headers)
            context.writeAndFlush(wrapOutboundOut(.head(responseHead))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    private func write(_ response: FakeResponse, context: ChannelHandlerContext, request: HTTPRequestHead) {
        let bytes = Array(response.body.utf8)
        let keepAlive = request.isKeepAlive && !response.closeConnection
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(bytes.count))
        for (name, value) in response.extraHeaders {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let responseHead = HTTPResponseHead(
            version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if !bytes.isEmpty, request.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
