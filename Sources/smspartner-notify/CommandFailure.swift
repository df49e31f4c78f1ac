import NotifyCore

/// A failure with its exit status and the one line the operator reads on stderr.
struct CommandFailure: Error {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}
