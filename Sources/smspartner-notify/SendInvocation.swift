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

/// One `send`: its arguments as plain values, and what it does with them.
///
/// ``SendCommand`` declares the arguments to ArgumentParser (help, messages, the rare forms);
/// the common command line is read straight into this type (SendInvocation+QuickParse),
/// without ArgumentParser's reflection. Each property is the option of the same name.
struct SendInvocation: Sendable, Equatable {
    var to: [String] = []
    var format: InputFormat = .auto
    var notificationType: String?
    var host: String?
    var hostState: String?
    var service: String?
    var serviceState: String?
    var output: String?
    var author: String?
    var comment: String?
    var message: String?
    var dedupKey: String?
    var escalation: String?
    var dryRun = false
    var timeout: Int?
    var config: String?
    var stateDir: String?

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
        let settings = try CommandSupport.settings(config: config, environment: environment)
        let configuration = settings.configuration
        // One budget for the whole run: reading stdin, waiting for the store and delivering share it.
        let budget = timeout.map { Duration.seconds($0) } ?? configuration.timeout
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        let decoded = try decodeAlert(environment: environment, timeout: budget, subjects: configuration.subjectRules)
        let renderer = settings.renderer
        let rendered = message.map { renderer.render(text: $0) } ?? renderer.render(decoded.notification)
        guard !rendered.message.text.isEmpty else {
            throw CommandFailure(.dataError, "the alert has no text to send")
        }
        let recipients = try Self.recipients(flags: to, decoded: decoded, configuration: configuration)
        let key = dedupKey?.trimmingWhitespace() ?? decoded.notification.dedupKey
        let escalation = try Self.escalationPolicy(flag: escalation, environment: environment, configuration: configuration)
        let candidate = AlertCandidate(notification: decoded.notification, rendered: rendered, recipients: recipients.numbers, dedupKey: key,
                                       escalation: escalation)
        if dryRun {
            return printDryRun(candidate, decoded: decoded, recipients: recipients, settings: settings)
        }

        let sender = settings.sender(apiKey: try CommandSupport.apiKey(settings))
        for skipped in recipients.skipped {
            Console.line("skipped: \(skipped)")
        }
        let left = { max(deadline - clock.now, .zero) }
        // A store that cannot be used must not cost the page: it is sent without state (fail
        // open), and the exit status (73) and one line on stderr say so.
        let withoutState = { (error: StateError) throws -> Void in
            try Self.sendWithoutState(candidate, because: error, sender: sender, within: left(), of: budget)
        }
        let store: any StateStore
        do {
            store = try CommandSupport.alertStore(settings, flag: stateDir, budget: budget)
        } catch {
            return try withoutState(error)
        }
        let outbox = settings.outbox(store: store)
        let lease = sender.lease(within: budget)
        let admission: Admission
        do {
            admission = try outbox.admit(candidate, lease: lease)
        } catch .busy(let path, let waited) {
            return try Self.sendPastABusyStore(candidate, outbox: outbox, because: .busy(path: path, waited: waited),
                                               sender: sender, within: left(), of: budget)
        } catch {
            return try withoutState(error)
        }
        let dispatch = AlertDispatch(outbox: outbox, sender: sender, budget: budget, left: left, lease: lease,
                                     maxAge: configuration.policy.maxAge)
        if let failure = try dispatch.deliver(admission, recipients: recipients.numbers.count) { throw failure }
    }

    /// The escalation policy named by `--escalation`, else `SMSPARTNER_ESCALATION`; nil when
    /// neither names one. One the configuration does not have is a usage error (64).
    static func escalationPolicy(flag: String?, environment: [String: String], configuration: Configuration) throws -> String? {
        guard let name = [flag, environment["SMSPARTNER_ESCALATION"]].compactMap({ $0?.trimmingWhitespace() }).first(where: { !$0.isEmpty })
        else { return nil }
        guard configuration.escalation.policies[name] != nil else {
            let known = configuration.escalation.policies.keys.sorted().joined(separator: ", ")
            throw CommandFailure(.usage, "no escalation policy named '\(name.displayEscaped)' (escalation.policies: \(known.isEmpty ? "none" : known))")
        }
        return name
    }

    /// The numbers to text: `--to`, else the input's, checked against `allowed_recipients`.
    static func recipients(flags: [String], decoded: AlertDecoding.Decoded, configuration: Configuration) throws -> RecipientResolver.Resolution {
        do {
            return try RecipientResolver.resolve(
                flags: flags,
                input: decoded.notification.recipients,
                allowlist: configuration.allowedRecipients,
                limit: configuration.maxRecipients
            )
        } catch {
            switch error {
            case .invalidFlag, .none: throw CommandFailure(.usage, error.description)
            case .noneUsable, .tooMany: throw CommandFailure(.dataError, error.description)
            }
        }
    }

    /// `--dry-run`: what would be sent and decided, nothing contacted or recorded.
    func printDryRun(_ candidate: AlertCandidate, decoded: AlertDecoding.Decoded, recipients: RecipientResolver.Resolution,
                     settings: Settings) {
        let configuration = settings.configuration
        let request = SendRequest(
            phoneNumbers: recipients.numbers, message: candidate.rendered.message, sender: configuration.sender,
            tag: configuration.tag, sandbox: configuration.sandbox,
            urlDlr: (try? settings.receiptCallbackURL()) ?? nil)
        DryRunReport(
            format: decoded.format, notification: decoded.notification, dedupKey: candidate.dedupKey,
            rendered: candidate.rendered, recipients: recipients, request: request, apiURL: settings.apiURL,
            decisions: Self.preview(candidate, settings: settings, stateDir: stateDir),
            subjects: configuration.subjectRules
        ).print()
    }

    /// A storm kept the lock busy for the whole wait. If every recipient already has this
    /// alert (what a storm of copies is), that is the answer: nothing is lost. Otherwise the
    /// lock is stuck (a hung process holds it): the page goes without state, to those the
    /// store does not show as having it already.
    static func sendPastABusyStore(_ candidate: AlertCandidate, outbox: Outbox, because problem: StateError, sender: Delivery,
                                   within left: Duration, of budget: Duration) throws {
        let preview = try? outbox.preview(candidate)
        var duplicates: [(PhoneNumber, DeliveryRecord)] = []
        for (recipient, decision) in preview ?? [] {
            if case .duplicate(let earlier) = decision { duplicates.append((recipient, earlier)) }
        }
        for (recipient, earlier) in duplicates {
            Console.line("suppressed: \(recipient.e164): \(OutcomeText.duplicate(of: earlier)) (not recorded: the state stayed busy)")
        }
        guard let preview, !preview.isEmpty, duplicates.count == preview.count else {
            var rest = candidate
            rest.recipients = candidate.recipients.filter { number in !duplicates.contains { $0.0 == number } }
            return try sendWithoutState(rest, because: problem, sender: sender, within: left, of: budget)
        }
    }

    /// The failure the command ends with, from its own deliveries' worst error (nil when all
    /// went out): what was not sent, to how many, after how many attempts, and what happens next.
    static func failure(of own: [DeliveryResult], recipients total: Int, budget: Duration) -> CommandFailure? {
        let failures = own.compactMap(\.error)
        let status = ExitStatus(worst: SMSPartnerError.worst(of: failures))
        guard status != .ok, let worst = SMSPartnerError.worst(of: failures) else { return nil }
        let unsent = own.filter { $0.receipt == nil }.count
        let scope = unsent == total ? "" : " to \(unsent) of \(total) recipients"
        let attempts = own.map(\.attempts).max() ?? 0
        let tries = "\(attempts) attempt\(attempts == 1 ? "" : "s") within \(budget.components.seconds) s"
        if worst.failureClass == .unknown {
            return CommandFailure(status, "not confirmed\(scope): \(worst) (\(tries)); kept in the outbox: SMSPartner is asked by its tag whether it took it before it is ever sent again")
        }
        let suffix = status == .tempFailure ? " (\(tries); queued, `flush` retries it)" : ""
        return CommandFailure(status, "not sent\(scope): \(worst)\(suffix)")
    }

    /// What the policy would decide for each recipient, from the store read as it is (nothing
    /// recorded, nothing created): `+336…: send`, `+336…: duplicate of #12, sent at …`.
    static func preview(_ candidate: AlertCandidate, settings: Settings, stateDir: String?) -> [String] {
        let numbers = candidate.recipients.map(\.e164)
        do {
            guard let store = try settings.existingStore(flag: stateDir, busyTimeout: .seconds(2), upgrade: false) else {
                // Nothing recorded yet: only quiet hours can hold it.
                let quiet = settings.configuration.quietHours
                return candidate.recipients.map { number in
                    let decision = quiet.apply(.send, to: candidate.notification, latestAboutSubject: nil, recipient: number.e164, at: settings.clock())
                    return decision == .send ? "\(number.e164): send (nothing recorded yet)" : OutcomeText.preview(decision, to: number)
                }
            }
            return try settings.outbox(store: store).preview(candidate).map { OutcomeText.preview($1, to: $0) }
        } catch {
            return numbers.map { "\($0): unknown (\(error))" }
        }
    }

    /// The alert, decoded from the flags, the environment or standard input (``AlertDecoding``).
    func decodeAlert(environment: [String: String], timeout: Duration, subjects: SubjectRules) throws -> AlertDecoding.Decoded {
        let flags = AlertInput.Flags(
            notificationType: notificationType, host: host, hostState: hostState,
            service: service, serviceState: serviceState, output: output, author: author, comment: comment
        )
        var input = AlertInput(flags: flags, environment: environment)
        // `--message` alone is the whole alert: nothing else is read.
        if let message, flags.isEmpty, format == .auto || format == .generic {
            // Keyed on its text, like plain text on stdin: the same message again is a duplicate.
            let alert = GenericDecoder.withDerivedKey(Alert(source: .generic, summary: message.trimmingWhitespace()))
            return AlertDecoding.Decoded(format: .generic, notification: Notification(single: alert))
        }
        do {
            let family = format == .auto ? try InputDetector.detectWithoutBody(input) : format
            if AlertDecoding.needsBody(family) {
                input.body = try readStandardInput(timeout: timeout)
            }
            return try AlertDecoding.decode(input, format: family ?? .auto, subjects: subjects)
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
}
