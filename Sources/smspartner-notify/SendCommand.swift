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
            The alert comes from --message, from the Nagios-style flags, or as plain text on \
            standard input (first line = summary). Exit status: 0 sent, 64 usage error, \
            65 unreadable alert input, 69 refused for good by SMSPartner, 75 not sent because \
            of a transient failure (network, timeout, HTTP 5xx), 78 configuration error.
            """,
        version: ToolVersion.current
    )

    @Option(name: .customLong("to"), help: ArgumentHelp(
        "Recipient phone number; repeat the flag or separate numbers with commas.",
        discussion: "International (+33612345678) or French national (0612345678) form.",
        valueName: "number"))
    var to: [String] = []

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

    @Flag(help: "Show the SMS and the request that would be sent; contact nothing.")
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
    }

    func run() throws {
        let environment = ProcessEnvironment.current()
        let settings: Settings
        do {
            settings = try Settings.resolve(configPath: config, environment: environment)
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
        let recipients = try parseRecipients()
        // One budget for the whole run: reading stdin and delivering share it.
        let budget = timeout.map { Duration.seconds($0) } ?? settings.configuration.timeout
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let renderer = MessageRenderer(maxSegments: settings.configuration.maxSegments)
        let input = try readAlert(timeout: budget)
        let rendered = message.map { renderer.render(text: $0) } ?? renderer.render(input.alert)
        guard !rendered.message.text.isEmpty else {
            throw CommandFailure(.dataError, "the alert has no text to send")
        }
        let request = SendRequest(
            phoneNumbers: recipients,
            message: rendered.message,
            sender: settings.configuration.sender,
            tag: settings.configuration.tag,
            sandbox: settings.configuration.sandbox
        )
        if dryRun {
            DryRunReport(format: input.format, alert: input.alert, rendered: rendered, request: request, apiURL: settings.apiURL).print()
            return
        }

        let apiKey: APIKey
        do {
            apiKey = try settings.apiKey()
        } catch {
            throw CommandFailure(.configuration, error.description)
        }
        let client = SMSPartnerClient(apiKey: apiKey, baseURL: settings.apiURL, userAgent: ToolVersion.userAgent)
        let report = Delivery(client: client).deliver(request, within: max(deadline - clock.now, .zero))
        for receipt in report.receipts {
            print(Self.describe(receipt))
        }
        let status = ExitStatus(report)
        guard status != .ok, let worst = report.worstFailure else { return }
        let unsent = report.failures.reduce(0) { $0 + $1.numbers.count }
        let scope = unsent == recipients.count ? "" : " to \(unsent) of \(recipients.count) recipients"
        let attempts = report.totalAttempts
        let suffix = status == .tempFailure ? " (\(attempts) attempt\(attempts == 1 ? "" : "s") within \(budget.components.seconds) s; retry later)" : ""
        throw CommandFailure(status, "not sent\(scope): \(worst)\(suffix)")
    }

    /// `--to` values, validated and normalised; nothing is sent if any is invalid.
    func parseRecipients() throws -> [PhoneNumber] {
        var numbers: [PhoneNumber] = []
        for value in to {
            do {
                numbers += try PhoneNumber.parseList(value)
            } catch {
                throw CommandFailure(.usage, "invalid --to: \(error)")
            }
        }
        var seen = Set<PhoneNumber>()
        numbers = numbers.filter { seen.insert($0).inserted }
        guard !numbers.isEmpty else {
            throw CommandFailure(.usage, "no recipient: give --to NUMBER")
        }
        return numbers
    }

    /// The alert from the flags, or from standard input when no flag describes it.
    func readAlert(timeout: Duration) throws -> (alert: Alert, format: String) {
        let flags = [notificationType, host, hostState, service, serviceState, output]
        if flags.contains(where: { $0 != nil }) {
            let alert = Alert(
                source: .nagios,
                notificationType: notificationType,
                host: host,
                hostState: hostState,
                service: service,
                serviceState: serviceState,
                output: output
            )
            return (alert, "nagios")
        }
        if let message {
            return (Alert(source: .generic, summary: message), "generic")
        }
        guard !FileReader.standardInputIsTerminal else {
            throw CommandFailure(.usage, "no alert: give --message, the alert flags, or pipe the text on standard input")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileReader.readStandardInput(timeout: timeout)
        } catch {
            throw CommandFailure(.dataError, "unreadable alert input: \(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure(.dataError, "unreadable alert input: standard input is not UTF-8 text")
        }
        guard let alert = PlainTextDecoder.decode(text) else {
            throw CommandFailure(.dataError, "unreadable alert input: standard input is empty")
        }
        return (alert, "generic")
    }

    static func describe(_ receipt: SendReceipt) -> String {
        let count = receipt.phoneNumbers.count
        let to = count == 1 ? receipt.phoneNumbers[0].e164 : "\(count) recipients"
        var line = "sent: \(to) (message_id \(receipt.messageID), nb_sms \(receipt.nbSMS)"
        if let cost = receipt.cost { line += ", cost \(cost)\(receipt.currency.map { " " + $0 } ?? "")" }
        return line + ")"
    }
}
