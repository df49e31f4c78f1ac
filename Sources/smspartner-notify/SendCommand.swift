import AlertModel
import ArgumentParser
import NotifyCore
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
            Exit status: 0 sent, 64 usage error, \
            65 unreadable alert input, 69 refused for good by SMSPartner, 75 not sent because \
            of a transient failure (network, timeout, HTTP 5xx), 78 configuration error.
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

    @Option(help: ArgumentHelp("The SMS text itself; overrides the template.", valueName: "text"))
    var message: String?

    @Option(help: ArgumentHelp("Deduplication key, instead of the one derived from the input.", valueName: "key"))
    var dedupKey: String?

    @Flag(help: "Show the decoded alert, the SMS and the request that would be sent; contact nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Seconds to spend delivering, retries included (default: the configuration's timeout, 20).",
        valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("YAML configuration file (default: $SMSPARTNER_NOTIFY_CONFIG, else /etc/smspartner-notify/config.yml if present).", valueName: "file"))
    var config: String?

    func validate() throws {
        if let timeout, !(1...3600).contains(timeout) {
            throw ValidationError("--timeout must be from 1 to 3600 seconds")
        }
        if let dedupKey, dedupKey.trimmingWhitespace().isEmpty {
            throw ValidationError("--dedup-key must not be blank")
        }
    }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let settings: Settings
        do {
            settings = try Settings.resolve(configPath: config, environment: environment)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
        let configuration = settings.configuration
        // One budget for the whole run: reading stdin and delivering share it.
        let budget = timeout.map { Duration.seconds($0) } ?? configuration.timeout
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let decoded = try decodeAlert(environment: environment, timeout: budget)
        let renderer = MessageRenderer(
            maxSegments: configuration.maxSegments,
            encoding: configuration.encoding,
            templates: configuration.templates
        )
        let rendered = message.map { renderer.render(text: $0) } ?? renderer.render(decoded.notification)
        guard !rendered.message.text.isEmpty else {
            throw CommandFailure(.dataError, "the alert has no text to send")
        }
        let recipients: RecipientResolver.Resolution
        do {
            recipients = try RecipientResolver.resolve(
                flags: to,
                input: decoded.notification.recipients,
                allowlist: configuration.allowedRecipients
            )
        } catch {
            switch error {
            case .invalidFlag, .none: throw CommandFailure(.usage, error.description)
            case .noneUsable: throw CommandFailure(.dataError, error.description)
            }
        }
        let request = SendRequest(
            phoneNumbers: recipients.numbers,
            message: rendered.message,
            sender: configuration.sender,
            tag: configuration.tag,
            sandbox: configuration.sandbox
        )
        let key = dedupKey?.trimmingWhitespace() ?? decoded.notification.dedupKey
        if dryRun {
            DryRunReport(
                format: decoded.format, notification: decoded.notification, dedupKey: key,
                rendered: rendered, recipients: recipients, request: request, apiURL: settings.apiURL
            ).print()
            return
        }

        let apiKey: APIKey
        do {
            apiKey = try settings.apiKey()
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
        for skipped in recipients.skipped {
            print("skipped: \(skipped)")
        }
        let client = SMSPartnerClient(apiKey: apiKey, baseURL: settings.apiURL, userAgent: ToolVersion.userAgent)
        let report = Delivery(client: client).deliver(request, within: max(deadline - clock.now, .zero))
        for receipt in report.receipts {
            print(Self.describe(receipt))
        }
        let status = ExitStatus(report)
        guard status != .ok, let worst = report.worstFailure else { return }
        let total = recipients.numbers.count
        let unsent = report.failures.reduce(0) { $0 + $1.numbers.count }
        let scope = unsent == total ? "" : " to \(unsent) of \(total) recipients"
        let attempts = report.totalAttempts
        let suffix = status == .tempFailure ? " (\(attempts) attempt\(attempts == 1 ? "" : "s") within \(budget.components.seconds) s; retry later)" : ""
        throw CommandFailure(status, "not sent\(scope): \(worst)\(suffix)")
    }

    /// The alert, decoded from the flags, the environment or standard input (``AlertDecoding``).
    func decodeAlert(environment: [String: String], timeout: Duration) throws -> AlertDecoding.Decoded {
        let flags = AlertInput.Flags(
            notificationType: notificationType, host: host, hostState: hostState,
            service: service, serviceState: serviceState, output: output
        )
        var input = AlertInput(flags: flags, environment: environment)
        // `--message` alone is the whole alert: nothing else is read.
        if let message, flags.isEmpty, format == .auto || format == .generic {
            let alert = Alert(source: .generic, summary: message.trimmingWhitespace())
            return AlertDecoding.Decoded(format: .generic, notification: Notification(single: alert))
        }
        do {
            let family = format == .auto ? try InputDetector.detectWithoutBody(input) : format
            if AlertDecoding.needsBody(family) {
                input.body = try readStandardInput(timeout: timeout)
            }
            return try AlertDecoding.decode(input, format: family ?? .auto)
        } catch let error as DecodeError {
            throw CommandFailure(.dataError, error.description)
        }
    }

    /// Standard input's bytes; a terminal means there is no alert to read.
    func readStandardInput(timeout: Duration) throws -> [UInt8] {
        guard !FileReader.standardInputIsTerminal else {
            throw CommandFailure(.usage, DecodeError.noInput.description)
        }
        do {
            return try FileReader.readStandardInput(limit: AlertInput.maxBodyBytes, timeout: timeout)
        } catch {
            throw CommandFailure(.dataError, "unreadable alert input: \(error)")
        }
    }

    static func describe(_ receipt: SendReceipt) -> String {
        let count = receipt.phoneNumbers.count
        let to = count == 1 ? receipt.phoneNumbers[0].e164 : "\(count) recipients"
        var line = "sent: \(to) (message_id \(receipt.messageID), nb_sms \(receipt.nbSMS)"
        if let cost = receipt.cost { line += ", cost \(cost)\(receipt.currency.map { " " + $0 } ?? "")" }
        return line + ")"
    }
}

extension InputFormat: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
