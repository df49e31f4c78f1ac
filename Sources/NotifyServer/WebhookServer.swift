import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import NotifyCore
import NotifyState
import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Alertmanager webhook receiver: Hummingbird on the address given, the routes of the
/// contract, and the outbox worker, run under one service group that shuts down gracefully
/// on SIGTERM/SIGINT (no new connections; requests in flight answered; the worker's delivery
/// in hand recorded) and reloads the configuration on SIGHUP.
///
/// - `POST /alertmanager`: a webhook (version 4); `POST /alert`: one generic JSON alert; both
///   `Content-Type: application/json` (else 415);
/// - `GET /healthz`: 200 when the store takes a write, the real work did not see it fail
///   lately (``StoreHealth``) and the worker is alive, else 503 saying why;
/// - `GET /metrics`: Prometheus text.
///
/// Every route refuses a request from a web page (an `Origin` not in `serve.allowed_origins`)
/// with 403. Connections are capped and timed out by ``ConnectionGuard``.
public struct WebhookServer: Sendable {
    public let runtime: ServerRuntime
    public let metrics: ServerMetrics
    public let logger: Logger
    /// The soft open-files limit in force (``OpenFilesLimit/raise()``): the connections held
    /// stay `OpenFilesLimit.reserve` below it.
    public let openFilesLimit: Int?

    public init(runtime: ServerRuntime, metrics: ServerMetrics, logger: Logger, openFilesLimit: Int? = nil) {
        self.runtime = runtime
        self.metrics = metrics
        self.logger = logger
        self.openFilesLimit = openFilesLimit
    }

    /// Why `serve` could not start listening.
    public struct ListenError: Error, CustomStringConvertible {
        public var address: String
        public var reason: String
        public var description: String { "cannot listen on \(address): \(reason)" }
    }

    /// Serves until SIGTERM or SIGINT. `onListening` gets the bound address (`127.0.0.1:9798`).
    ///
    /// - Throws: ``ListenError`` when the address cannot be bound (in use, not permitted),
    ///   else what stopped the server.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (String) -> Void) async throws {
        let health = StoreHealth(store: runtime.store, logger: logger)
        let worker = OutboxWorker(runtime: runtime, metrics: metrics, health: health, logger: logger)
        let recorder = DuplicateRecorder(runtime: runtime, health: health, logger: logger)
        let serve = runtime.snapshot.configuration.serve
        let capacity = OpenFilesLimit.connectionCap(configured: serve.maxConnections, limit: openFilesLimit)
        let connections = ConnectionRegistry(capacity: capacity)
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: OriginMiddleware(runtime: runtime, metrics: metrics))
        router.add(middleware: AuthMiddleware(runtime: runtime, metrics: metrics))
        let limit = serve.maxBodyBytes
        let warnedClusters = Atomic<Bool>(false)
        for (path, intake) in [("/alertmanager", WebhookIntake.alertmanager), ("/alert", WebhookIntake.generic)] {
            router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
                guard Self.isJSON(request.headers[.contentType]) else {
                    metrics.refused(path: path, status: 415)
                    return Self.json(IntakeReply(status: 415, message: "the body must be JSON, sent as Content-Type: application/json"))
                }
                let bytes: [UInt8]
                switch await Self.body(of: request, limit: limit) {
                case .success(let body):
                    bytes = body
                case .failure(let refusal):
                    metrics.refused(path: path, status: refusal.reply.status)
                    return Self.json(refusal.reply)
                }
                let snapshot = runtime.snapshot
                let reply = try await NIOThreadPool.singleton.runIfActive {
                    intake(WebhookIntake(snapshot: snapshot, recorder: recorder, health: health))(bytes)
                }
                metrics.webhook(route: path, reply: reply)
                if reply.status == 200, reply.decisions.contains(where: { $0.decision == "queued" }) { worker.wake() }
                if reply.ignoredClusters > 0, !warnedClusters.exchange(true, ordering: .relaxed) {
                    logger.warning("heartbeats of a new Alertmanager cluster ignored: \(DeadmanSwitch.maxClusters) are tracked already (said once)")
                }
                logger.log(level: reply.status == 200 ? .info : .warning, "\(path) → \(reply.status) \(reply.message)", metadata: [
                    "alerts": .stringConvertible(reply.alerts),
                    "decisions": .string(reply.decisions.map { "\($0.to) \($0.decision)" }.joined(separator: ", ")),
                ])
                return Self.json(reply)
            }
        }
        ReceiptIntake(runtime: runtime, metrics: metrics, health: health, logger: logger, record: worker.record).register(on: router)
        let replyPool = NIOThreadPool(numberOfThreads: ReplyIntake.threads)
        replyPool.start()
        defer { replyPool.shutdownGracefully { _ in } }
        ReplyIntake(runtime: runtime, metrics: metrics, health: health, logger: logger, queued: worker.wake, pool: replyPool).register(on: router)
        router.get("/healthz") { _, _ -> Response in
            var problems = await health.problems()
            if !worker.isAlive { problems.append("the outbox worker is not running") }
            if let directory = runtime.stateDirectory, !StateDirectory.isWritable(directory) {
                problems.append("the state directory \(directory) is not writable")
            }
            let reply = IntakeReply(status: problems.isEmpty ? 200 : 503, message: problems.isEmpty ? "ok" : problems.joined(separator: "; "))
            return Self.json(reply)
        }
        router.get("/metrics") { _, _ -> Response in
            metrics.connections(connections.count)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }

        let listening = Atomic<Bool>(false)
        let app = Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [Self.guard(connections, runtime: self.runtime, metrics: self.metrics)],
                idleTimeout: nil)),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: nil,
                // A net under the registry's cap: stop accepting rather than meet the open-files limit.
                availableConnectionsDelegate: MaximumAvailableConnections(capacity + 16, logger: logger)),
            onServerRunning: { channel in
                listening.store(true, ordering: .relaxed)
                let address = channel.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? "\(host):\(port)"
                onListening(address)
            },
            logger: logger)
        logger.info("serving at most \(capacity) connections (serve.max_connections \(serve.maxConnections), open files \(openFilesLimit.map(String.init) ?? "unknown"))")
        let reloader = ReloadOnHangup(runtime: runtime, logger: logger)
        // Shut down in reverse order: the server stops taking requests first, then the
        // duplicates answered are recorded, then the worker finishes.
        var shutdown = ServiceGroupConfiguration(
            services: [worker, recorder, reloader, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A graceful stop waits for the requests in progress (each within read_timeout) and
        // the worker's delivery in hand (within the delivery timeout); past both and a margin it
        // is cut short, so that a stop always ends.
        shutdown.maximumGracefulShutdownDuration = max(serve.readTimeout, runtime.snapshot.configuration.timeout) + .seconds(10)
        shutdown.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: shutdown)
        do {
            try await group.run()
        } catch {
            guard !listening.load(ordering: .relaxed) else { throw error }
            throw ListenError(address: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)", reason: Self.reason(error))
        }
    }

    /// A new connection's guard, with the timeouts of the configuration in force.
    static func `guard`(_ connections: ConnectionRegistry, runtime: ServerRuntime, metrics: ServerMetrics) -> ConnectionGuard {
        let serve = runtime.snapshot.configuration.serve
        return ConnectionGuard(registry: connections, metrics: metrics, idleTimeout: serve.idleTimeout, readTimeout: serve.readTimeout)
    }

    /// Whether a `Content-Type` says JSON: `application/json`, parameters (`; charset=utf-8`) allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        // Bytes, not Foundation: this runs for every webhook.
        let type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.drop { $0 == 0x20 || $0 == 0x09 }
        let trimmed = type.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        let expected = "application/json".utf8
        let lowered = trimmed.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        return lowered.elementsEqual(expected)
    }

    /// The whole body, or the answer when it cannot be had: 413 over `limit`, 408 when it did
    /// not arrive within `read_timeout`, 400 when the connection ended before it did.
    static func body(of request: Request, limit: Int) async -> Result<[UInt8], IntakeReply.Refusal> {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            return .failure(.init(IntakeReply(status: 413, message: "the body is larger than \(limit) bytes (serve.max_body_bytes)")))
        } catch let error as ConnectionGuard.RequestTimedOut {
            return .failure(.init(IntakeReply(status: 408, message: error.description)))
        } catch {
            return .failure(.init(IntakeReply(status: 400, message: "the body was cut off: the connection ended before it arrived in full")))
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared != body.readableBytes {
            return .failure(.init(IntakeReply(status: 400, message: "the body was cut off: \(body.readableBytes) of \(declared) bytes arrived")))
        }
        return .success(Array(buffer: body))
    }

    /// The cause of a failure to listen, in a few words (`address already in use`).
    static func reason(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }

    static func json(_ reply: IntakeReply) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

/// Reloads the configuration, key and credentials on SIGHUP; keeps the old ones when the new
/// cannot be read.
struct ReloadOnHangup: Service {
    let runtime: ServerRuntime
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                try runtime.reload()
                logger.info("configuration reloaded")
            } catch {
                logger.error("reload failed, keeping the running configuration: \(error)")
            }
        }
    }
}
