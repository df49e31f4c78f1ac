import ArgumentParser
import Dispatch
import Logging
import NotifyCore
import NotifyServer
import NotifyState
import SMSPartner
import SMSText
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `smspartner-notify serve`: the Alertmanager webhook receiver.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive Alertmanager webhooks (and generic JSON alerts) over HTTP and text them.",
        discussion: """
            Routes: POST /alertmanager (webhook v4), POST /alert (generic JSON), GET /healthz, \
            GET /metrics (Prometheus). A request is answered 200 once its decisions are \
            committed to the outbox; a background worker delivers. 400 for a payload no retry \
            can fix, 401 without valid credentials (serve.basic_auth, serve.bearer_token_file), \
            413 over serve.max_body_bytes, 415 unless Content-Type is application/json, 403 for \
            a request from a web page (an Origin header not in serve.allowed_origins), 503 when \
            the state store stayed locked (Alertmanager retries). GET /healthz answers 503 while \
            the state store refuses writes. Limits: serve.max_connections (default 512, kept \
            64 below the open-files limit, whose soft value is raised to the hard one; a new \
            connection beyond it closes the oldest idle one), serve.idle_timeout (default 5s \
            without a request in progress), serve.read_timeout (default 10s for a body to \
            arrive after its head). SIGTERM/SIGINT stop gracefully; SIGHUP reloads the \
            configuration, the API key and the credentials. Prints "listening on HOST:PORT" \
            once it listens. Exits 71 when it cannot listen (address in use, not permitted), \
            78 for a configuration or state store it cannot use.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on (default: serve.listen, else 127.0.0.1:9798; port 0 picks a free one).", valueName: "host:port"))
    var listen: String?

    @Option(name: .customLong("to"), help: ArgumentHelp(
        "Who gets alerts whose receiver is not mapped under receivers:; repeatable, comma-separated.",
        valueName: "number"))
    var to: [String] = []

    @OptionGroup var state: StateOptions

    func run() throws {
        let environment = ProcessEnvironment.current()
        let settings = try CommandSupport.settings(config: state.config, environment: environment)
        var defaults: [PhoneNumber] = []
        do {
            for value in to { defaults += try PhoneNumber.parseList(value) }
        } catch {
            throw CommandFailure(.usage, "invalid --to: \(error)")
        }
        let address = listen ?? settings.configuration.serve.listen
        guard let (host, port) = ServeSettings.hostAndPort(address) else {
            throw CommandFailure(.usage, ConfigurationError.invalidListenAddress(address).description)
        }
        let directory = settings.configuration.state.backend == .postgres ? nil : settings.stateDirectory(flag: state.stateDir)
        let store = try CommandSupport.openStore(settings, flag: state.stateDir, busyTimeout: .seconds(5), concurrentReads: true)
        let configPath = state.config
        let runtime = try ServerRuntime(store: store, stateDirectory: directory, defaults: defaults) {
            let settings = try CommandSupport.settings(config: configPath, environment: ProcessEnvironment.current())
            let key = try CommandSupport.apiKey(settings)
            do {
                return (settings, key, try Credentials.load(
                    settings.configuration.serve, receipts: settings.configuration.receipts, twoWay: settings.configuration.twoWay))
            } catch {
                throw CommandFailure(.configuration, "\(error)")
            }
        }

        // What a client sent reaches the log in many places (a receiver name, a decoder's
        // message): every line is escaped on its way out, whichever call wrote it.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return EscapingLogHandler(wrapping: handler)
        }
        let logger = Logger(label: "smspartner-notify")
        let metrics = ServerMetrics.bootstrap()
        let openFiles = OpenFilesLimit.raise()
        let server = WebhookServer(runtime: runtime, metrics: metrics, logger: logger, openFilesLimit: openFiles)
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run(host: host, port: port) { bound in
                    print("listening on \(bound)")
                    fflush(nil)
                }
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .failure(let error as WebhookServer.ListenError):
            throw CommandFailure(.osError, "\(error)")
        case .failure(let error):
            throw CommandFailure(.osError, "serve stopped: \(error)")
        default:
            break
        }
    }
}
