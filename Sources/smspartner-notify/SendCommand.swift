import AlertModel
import ArgumentParser
import NotifyCore
import NotifyState
import SMSPartner
import SMSText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `smspartner-notify send`: one alert, from flags or stdin, to one SMS per recipient.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        _superCommandName: ToolVersion.name,
        abstract: "Send one alert as an SMS.",
        discussion: """
            The alert comes from --message, from the Nagios-style flags, from the NAGIOS_* or \
            Icinga 2 notification environment, or on standard input (an Alertmanager webhook, a \
            JSON object, key=value lines, or plain text whose first line is the summary). \
            Exit status: 0 sent (or suppressed: stdout says why), 64 usage error, \
            65 unreadable alert input, 69 refused for good by SMSPartner, 73 sent without \
            state (the state store is unusable: no deduplication or rate limit), 74 not sent \
            and not kept (the state store is unusable and SMSPartner did not take it), 75 not \
            sent yet because of a transient failure (network, timeout, HTTP 5xx), kept in the \
            outbox, 78 configuration error.
            """,
        version: ToolVersion.current
    )

    @Option(name: .customLong("to"), help: ArgumentHelp(
        "Recipient phone number; repeat the flag or separate numbers with commas.",
        discussion: "International (+33612345678) or French national (0612345678) form. Without --to, the numbers the input names (Nagios contact pager, Icinga user pager, generic `to`) are used, checked against allowed_recipients.",
        valueName: "number"))
    var to: [String] = []

    @Option(help: ArgumentHelp(
        "Input family.",
        discussion: "auto (the default) picks it from the flags, the NAGIOS_* or Icinga 2 environment, or what is on standard input, and refuses to guess (exit 65) when it cannot tell.",
        valueName: "format"))
    var format: InputFormat = .auto

    @Option(help: ArgumentHelp("Nagios notification type: PROBLEM, RECOVERY, ACKNOWLEDGEMENT…", valueName: "type"))
    var notificationType: String?

    @Option(help: ArgumentHelp("Host name.", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Host state: UP, DOWN, UNREACHABLE.", valueName: "state"))
    var hostState: String?

    @Option(help: ArgumentHelp("Service description (makes it a service notification).", valueName: "service"))
    var service: String?

    @Option(help: ArgumentHelp("Service state: OK, WARNING, CRITICAL, UNKNOWN.", valueName: "state"))
    var serviceState: String?

    @Option(help: ArgumentHelp("Check output.", valueName: "text"))
    var output: String?

    @Option(help: ArgumentHelp(
        "Who acknowledged, or sent the custom notification ($NOTIFICATIONAUTHOR$).", valueName: "name"))
    var author: String?

    @Option(help: ArgumentHelp(
        "Their comment ($NOTIFICATIONCOMMENT$). With --author, it tells two acknowledgements apart.", valueName: "text"))
    var comment: String?

    @Option(help: ArgumentHelp("The SMS text itself; overrides the template.", valueName: "text"))
    var message: String?

    @Option(help: ArgumentHelp("Deduplication key, instead of the one derived from the input.", valueName: "key"))
    var dedupKey: String?

    @Option(help: ArgumentHelp(
        "The escalation policy of the alert (escalation.policies), instead of the default one; or SMSPARTNER_ESCALATION.",
        valueName: "name"))
    var escalation: String?

    @Flag(help: "Show the decoded alert, the SMS and the request that would be sent; contact nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Seconds to spend delivering, retries included (default: the configuration's timeout, 20).",
        valueName: "seconds"))
    var timeout: Int?

    @OptionGroup var state: StateOptions

    /// The arguments as plain values: what `send` does is ``SendInvocation``'s.
    var invocation: SendInvocation {
        SendInvocation(
            to: to, format: format, notificationType: notificationType, host: host, hostState: hostState,
            service: service, serviceState: serviceState, output: output, author: author, comment: comment,
            message: message, dedupKey: dedupKey, escalation: escalation, dryRun: dryRun, timeout: timeout,
            config: state.config, stateDir: state.stateDir
        )
    }

    func validate() throws {
        try invocation.validate()
    }

    func run() throws {
        try invocation.run()
    }
}

extension InputFormat: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
