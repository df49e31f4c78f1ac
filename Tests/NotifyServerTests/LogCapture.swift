import Logging
import Synchronization

/// Lines written by a `StreamLogHandler`, kept for a test to read.
final class LogCapture: TextOutputStream, Sendable {
    private let text = Mutex("")

    func write(_ string: String) {
        text.withLock { $0 += string }
    }

    var lines: [String] { text.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    /// A logger writing here (through `wrap`, if given).
    func logger(_ wrap: (StreamLogHandler) -> any LogHandler = { $0 }) -> Logger {
        let handler = StreamLogHandler(label: "test", stream: self, metadataProvider: nil)
        return Logger(label: "test", factory: { _ in wrap(handler) })
    }
}
