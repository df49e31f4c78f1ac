import Logging
import NIOCore
import NIOHTTPTypes

/// One per connection, between the HTTP decoder and Hummingbird: the limits of
/// ``ConnectionRegistry`` and the two timeouts.
///
/// - No request in progress (none yet, between two, or a head still arriving) for
///   `idleTimeout`: the connection is closed.
/// - A request whose body has not arrived in full `readTimeout` after its head: the handler
///   reading the body gets ``RequestTimedOut`` and the connection is closed. Bytes trickling
///   in do not extend it: the deadline is fixed when the head arrives.
/// - Once the request has arrived, nothing is timed here: the handler's own work is bounded
///   (the store's busy timeout).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What a handler reading a body gets when the body did not arrive within `read_timeout`.
    struct RequestTimedOut: Error, CustomStringConvertible {
        var description: String { "the request body did not arrive within serve.read_timeout" }
    }

    let registry: ConnectionRegistry
    let metrics: ServerMetrics
    let idleTimeout: TimeAmount
    let readTimeout: TimeAmount
    private var registered = false
    /// A request head arrived and its end has not.
    private var reading = false
    /// Requests whose answer has not been written in full.
    private var inFlight = 0
    private var deadline: Scheduled<Void>?

    init(registry: ConnectionRegistry, metrics: ServerMetrics, idleTimeout: Duration, readTimeout: Duration) {
        self.registry = registry
        self.metrics = metrics
        self.idleTimeout = TimeAmount(idleTimeout)
        self.readTimeout = TimeAmount(readTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        if registered { registry.close(context.channel) }
        context.fireChannelInactive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        switch registry.open(context.channel) {
        case .refused:
            metrics.connectionClosed(reason: "over_capacity")
            context.close(promise: nil)
        case .admitted(let closing):
            if let closing {
                metrics.connectionClosed(reason: "evicted_idle")
                closing.close(promise: nil)
            }
            arm(context, after: idleTimeout, reason: "idle")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            reading = true
            registry.setIdle(context.channel, false)
            arm(context, after: readTimeout, reason: "read_timeout")
        case .body:
            break
        case .end:
            reading = false
            if inFlight == 0 {
                // Answered before its body had arrived (401, 413): idle from now.
                registry.setIdle(context.channel, true)
                arm(context, after: idleTimeout, reason: "idle")
            } else {
                cancelDeadline()
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 && !reading {
                registry.setIdle(context.channel, true)
                arm(context, after: idleTimeout, reason: "idle")
            }
        }
        context.write(data, promise: promise)
    }

    /// Closes the connection `after` from now (replacing any deadline set before); a request
    /// still arriving then is failed with ``RequestTimedOut`` first.
    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount, reason: String) {
        cancelDeadline()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            deadline = nil
            metrics.connectionClosed(reason: reason)
            if reading { context.fireErrorCaught(RequestTimedOut()) }
            context.close(promise: nil)
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }
}
