import ArgumentParser
import NotifyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `smspartner-notify check`: the notifier itself as a Monitoring Plugin (Nagios, Icinga 2):
/// one line on stdout, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; it changes no state.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check credits, outbox, last success, delivery and state store, as a monitoring plugin.",
        discussion: """
            Prints one line, SMSPARTNER OK|WARNING|CRITICAL|UNKNOWN - <every item not OK first> | \
            <perfdata>, and exits with the plugin status instead of the sysexits of the other \
            commands: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also wrong usage and an unreadable \
            configuration). The worst item wins (OK < WARNING < UNKNOWN < CRITICAL).
            Items: credits (GET /me: at or below a limit; a wrong API key or a disabled account \
            is CRITICAL, SMSPartner unreachable or no API key UNKNOWN); outbox (the age of the \
            oldest waiting message) and queued (how many wait); last success (how long deliveries \
            have been due with no SMS accepted since: nothing due is OK however old the last \
            success); undelivered (the percentage of not_delivered among the final reports over \
            --window) and no report (SMS of the window still without a final report an hour \
            after sending, or expired); store (it can be opened, read and written: a write that \
            is rolled back). A state directory with no store yet is OK (no state yet). \
            Nothing is changed: no store is created, nothing is sent.
            Durations: 90s, 10m, 1h, 1h30m, 2d. The whole check ends within --timeout: past it, \
            UNKNOWN.
            """
    )

    @OptionGroup var state: StateOptions

    @Option(name: [.customShort("w"), .long], help: ArgumentHelp("WARNING at this many SMS credits or fewer.", valueName: "n"))
    var creditsWarning: Int = 200

    @Option(name: [.customShort("c"), .long], help: ArgumentHelp("CRITICAL at this many SMS credits or fewer.", valueName: "n"))
    var creditsCritical: Int = 50

    @Option(help: ArgumentHelp("WARNING when the oldest waiting message is this old.", valueName: "duration"))
    var outboxWarning: String = "10m"

    @Option(help: ArgumentHelp("CRITICAL when the oldest waiting message is this old.", valueName: "duration"))
    var outboxCritical: String = "1h"

    @Option(help: ArgumentHelp("WARNING when this many messages wait.", valueName: "n"))
    var queuedWarning: Int = 20

    @Option(help: ArgumentHelp("CRITICAL when this many messages wait.", valueName: "n"))
    var queuedCritical: Int = 100

    @Option(help: ArgumentHelp("WARNING when deliveries have been due this long with no success since.", valueName: "duration"))
    var lastSuccessWarning: String = "30m"

    @Option(help: ArgumentHelp("CRITICAL when deliveries have been due this long with no success since.", valueName: "duration"))
    var lastSuccessCritical: String = "2h"

    @Option(help: ArgumentHelp("WARNING at this percentage of not_delivered reports over --window.", valueName: "percent"))
    var undeliveredWarning: Double = 10

    @Option(help: ArgumentHelp("CRITICAL at this percentage of not_delivered reports over --window.", valueName: "percent"))
    var undeliveredCritical: Double = 25

    @Option(help: ArgumentHelp("WARNING at this many SMS of --window without a final report.", valueName: "n"))
    var noReportWarning: Int = 10

    @Option(help: ArgumentHelp("CRITICAL at this many SMS of --window without a final report.", valueName: "n"))
    var noReportCritical: Int = 50

    @Option(help: ArgumentHelp("How far back delivery reports are judged.", valueName: "duration"))
    var window: String = "24h"

    @Option(help: ArgumentHelp("Seconds the whole check may take; past them, UNKNOWN.", valueName: "seconds"))
    var timeout: Int = 10

    func validate() throws {
        if !(1...300).contains(timeout) { throw ValidationError("--timeout must be from 1 to 300 seconds") }
        _ = try thresholds()
    }

    /// The limits the flags give.
    func thresholds() throws -> CheckThresholds {
        func duration(_ text: String, _ flag: String) throws -> Duration {
            guard let duration = DurationText.parse(text) else {
                throw ValidationError("\(flag) must be a duration such as 90s, 10m, 1h or 2d, not \"\(text)\"")
            }
            return duration
        }
        var limits = CheckThresholds()
        limits.credits = .init(warning: creditsWarning, critical: creditsCritical)
        limits.oldestQueued = .init(warning: try duration(outboxWarning, "--outbox-warning"), critical: try duration(outboxCritical, "--outbox-critical"))
        limits.queued = .init(warning: queuedWarning, critical: queuedCritical)
        limits.lastSuccess = .init(warning: try duration(lastSuccessWarning, "--last-success-warning"),
                                   critical: try duration(lastSuccessCritical, "--last-success-critical"))
        limits.undelivered = .init(warning: undeliveredWarning, critical: undeliveredCritical)
        limits.noReport = .init(warning: noReportWarning, critical: noReportCritical)
        limits.window = try duration(window, "--window")
        if let problem = limits.problem { throw ValidationError(problem) }
        return limits
    }

    func run() throws {
        let report: CheckReport
        do {
            let settings = try Settings.resolve(configPath: state.config, environment: ProcessEnvironment.current())
            report = HealthCheck.run(settings, stateDirectory: settings.stateDirectory(flag: state.stateDir),
                                     thresholds: try thresholds(), timeout: .seconds(timeout))
        } catch {
            report = .unknown("configuration", "configuration: \(error)")
        }
        Self.finish(report)
    }

    /// Prints the report and exits with its state, leaving any thread still at work behind.
    static func finish(_ report: CheckReport) -> Never {
        Console.line(report.summary)
        fflush(nil)
        #if canImport(Glibc)
        Glibc.exit(report.state.rawValue)
        #else
        Darwin.exit(report.state.rawValue)
        #endif
    }
}
