import Hummingbird
import Logging
import NIOCore
import NIOPosix
import NotifyCore
import NotifyState
import ServiceLifecycle
import UnixSignals

/// The Alertmanager webhook receiver: Hummingbird on the address given, the routes of the
/// contract, and the outbox worker, run under one service group that shuts down gracefully
/// on SIGTERM/SIGINT (no new connections; requests in flight answered; the worker's delivery
/// in hand recorded) and reloads the configuration on SIGHUP.
///
/// - `POST /alertmanager`: a webhook (version 4); `POST /alert`: one generic JSON alert;
/// - `GET /healthz`: 200 when the store can be read and written and the worker is alive;
/// - `GET /metrics`: Prometheus text.
public struct WebhookServer: Sendable {
    public let runtime: ServerRuntime
    public let metrics: ServerMetrics
    public let logger: Logger

    public init(runtime: ServerRuntime, metrics: ServerMetrics, logger: Logger) {
        self.runtime = runtime
        self.metrics = metrics
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT. `onListening` gets the bound address (`127.0.0.1:9798`).
    public func run(host: String, port: Int, onListening: @escaping @Sendable (String) -> Void) async throws {
        let worker = OutboxWorker(runtime: runtime, metrics: metrics, logger: logger)
        let recorder = DuplicateRecorder(runtime: runtime, logger: logger)
        let serve = runtime.snapshot.configuration.serve
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: AuthMiddleware(runtime: runtime, metrics: metrics))
        let limit = serve.maxBodyBytes
        for (path, intake) in [("/alertmanager", WebhookIntake.alertmanager), ("/alert", WebhookIntake.generic)] {
            router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
                var request = request
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: limit)
                } catch {
                    metrics.refused(path: path, status: 413)
                    return Self.json(IntakeReply(status: 413, message: "the body is larger than \(limit) bytes (serve.max_body_bytes)"))
                }
                let bytes = Array(buffer: body)
                let snapshot = runtime.snapshot
                let reply = try await NIOThreadPool.singleton.runIfActive { intake(WebhookIntake(snapshot: snapshot, recorder: recorder))(bytes) }
                metrics.webhook(route: path, reply: reply)
                if reply.status == 200, reply.decisions.contains(where: { $0.decision == "queued" }) { worker.wake() }
                logger.log(level: reply.status == 200 ? .info : .warning, "\(path) → \(reply.status) \(reply.message)", metadata: [
                    "alerts": .stringConvertible(reply.alerts),
                    "decisions": .string(reply.decisions.map { "\($0.to) \($0.decision)" }.joined(separator: ", ")),
                ])
                return Self.json(reply)
            }
        }
        router.get("/healthz") { _, _ -> Response in
            let problems = try await NIOThreadPool.singleton.runIfActive { health(worker: worker) }
            let reply = IntakeReply(status: problems.isEmpty ? 200 : 503, message: problems.isEmpty ? "ok" : problems.joined(separator: "; "))
            return Self.json(reply)
        }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }

        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount.milliseconds(serve.readTimeout.wholeMilliseconds))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? port)" } ?? "\(host):\(port)"
                onListening(address)
            },
            logger: logger)
        let reloader = ReloadOnHangup(runtime: runtime, logger: logger)
        // Shut down in reverse order: the server stops taking requests first, then the
        // duplicates answered are recorded, then the worker finishes.
        let group = ServiceGroup(configuration: .init(
            services: [worker, recorder, reloader, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// What keeps `/healthz` from answering 200.
    func health(worker: OutboxWorker) -> [String] {
        var problems: [String] = []
        if !worker.isAlive { problems.append("the outbox worker is not running") }
        if !StateDirectory.isWritable(runtime.stateDirectory) { problems.append("the state directory \(runtime.stateDirectory) is not writable") }
        do {
            _ = try runtime.store.read { (reader) throws(StateError) in try reader.limitedSendCounts(since: [.now()]) }
        } catch {
            problems.append("\(error)")
        }
        return problems
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
