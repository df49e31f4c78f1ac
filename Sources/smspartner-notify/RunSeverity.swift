import ArgumentParser

/// `run --severity`: how bad a failed run is.
enum RunSeverity: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Urgent: a CRITICAL alert, through quiet hours' `allow: [critical]`.
    case critical
    /// It can wait: a WARNING alert, held during quiet hours for the morning digest.
    case warning
}
