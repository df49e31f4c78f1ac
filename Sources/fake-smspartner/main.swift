// fake-smspartner: the fake SMSPartner API as a process, for scripts/bench and manual runs.
//
//     fake-smspartner [--api-key KEY] [--fail-first N] [--delay-ms N] [--slow-accept-ms N] [--port N]
//
// Prints one line, `http://127.0.0.1:<port>/v1`, on stdout, then serves until SIGTERM or
// SIGINT, or until stdin reaches end of file when stdin is a pipe or a terminal (so a parent
// can stop it by closing the pipe; a `/dev/null` stdin, as for `cmd &` in a script, is ignored).
// On exit it prints `received N requests, accepted M` on stderr.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import SMSPartnerTesting

/// Writes one line on stderr.
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Yields to `stop` on SIGTERM or SIGINT (the sources must stay alive).
nonisolated func watchSignals(_ stop: AsyncStream<String>.Continuation) -> [any DispatchSourceSignal] {
    [SIGTERM, SIGINT].map { signalNumber in
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { stop.yield("signal \(signalNumber)") }
        source.resume()
        return source
    }
}

/// Yields to `stop` when stdin reaches end of file, if stdin is a pipe, a socket or a terminal
/// (not `/dev/null` or a file, which would end at once).
nonisolated func watchStdin(_ stop: AsyncStream<String>.Continuation) {
    var status = stat()
    guard fstat(STDIN_FILENO, &status) == 0 else { return }
    let kind = status.st_mode & S_IFMT
    guard kind == S_IFIFO || kind == S_IFSOCK || isatty(STDIN_FILENO) == 1 else { return }
    DispatchQueue(label: "fake-smspartner.stdin").async {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count == 0 || (count < 0 && errno != EINTR) { break }
        }
        stop.yield("end of stdin")
    }
}

let usage = "usage: fake-smspartner [--api-key KEY] [--fail-first N] [--delay-ms N] [--slow-accept-ms N] [--port N]"
var apiKey = FakeSMSPartner.defaultAPIKey
var failFirst = 0
var delayMilliseconds = 0
var slowAcceptMilliseconds = 0
var port = 0

var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    if flag == "--help" || flag == "-h" {
        print(usage)
        exit(0)
    }
    guard ["--api-key", "--fail-first", "--delay-ms", "--slow-accept-ms", "--port"].contains(flag) else {
        printError("fake-smspartner: unknown argument \"\(flag)\"\n\(usage)")
        exit(64)
    }
    guard let value = arguments.popFirst() else {
        printError("fake-smspartner: \(flag) needs a value\n\(usage)")
        exit(64)
    }
    switch flag {
    case "--api-key":
        apiKey = value
    case "--fail-first", "--delay-ms", "--slow-accept-ms", "--port":
        guard let number = Int(value), number >= 0 else {
            printError("fake-smspartner: \(flag) needs a non-negative integer, got \"\(value)\"")
            exit(64)
        }
        if flag == "--fail-first" { failFirst = number }
        if flag == "--delay-ms" { delayMilliseconds = number }
        if flag == "--slow-accept-ms" { slowAcceptMilliseconds = number }
        if flag == "--port" { port = number }
    default:
        break
    }
}

let fake: FakeSMSPartner
do {
    fake = try await FakeSMSPartner.start(apiKey: apiKey, port: port)
} catch {
    printError("fake-smspartner: cannot listen on 127.0.0.1:\(port): \(error)")
    exit(69)
}
if delayMilliseconds > 0 {
    fake.setLatency(.milliseconds(delayMilliseconds))
}
if slowAcceptMilliseconds > 0 {
    // Every send is taken only after this long, then answered if the client still waits.
    fake.setDefaultReply(.slowAccept(.milliseconds(slowAcceptMilliseconds)))
}
fake.enqueue(
    Array(
        repeating: .http(
            status: 500, body: "<html><body><h1>500 Internal Server Error</h1></body></html>"),
        count: failFirst))

// Stop on SIGTERM, SIGINT, or end of a piped stdin: whichever comes first.
let (stopRequests, stopContinuation) = AsyncStream.makeStream(of: String.self)
let signalSources = watchSignals(stopContinuation)
watchStdin(stopContinuation)

print(fake.baseURL)
fflush(nil)  // every output stream: `stdout` itself is not concurrency-safe to name in Swift 6

for await _ in stopRequests { break }
try? await fake.shutdown()
_ = signalSources
let accepted = fake.deliveredMessages.count
printError("received \(fake.requests.count) requests, accepted \(accepted)")
exit(0)
