import ArgumentParser
import NotifyCore
import NotifyState
import SMSPartner
import SMSText

/// `smspartner-notify flush`: delivers what the outbox holds and is due, for cron or a
/// systemd timer in setups without `serve`.
struct FlushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Deliver the queued SMS that are due, and the digests whose window reopened.",
        discussion: """
            Runs the escalations (a step due is queued, an acknowledged or resolved alert stops \
            its own), expires what outlived max_age (never sent late), takes back deliveries whose sender \
            stopped, queues due digests, then sends what is due with exponential backoff. \
            Exit status: 0 nothing left to do now (or only later retries), 75 SMSPartner still \
            failing (retried later), 69 or 78 as for send, 78 state store unusable.
            """
    )

    @OptionGroup var state: StateOptions

    @Option(help: ArgumentHelp("Seconds this run may spend (default: the configuration's timeout, 20).", valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("Most deliveries to attempt in this run.", valueName: "n"))
    var limit: Int = Outbox.defaultFlushLimit

    func validate() throws {
        if let timeout, !(1...3600).contains(timeout) {
            throw ValidationError("--timeout must be from 1 to 3600 seconds")
        }
        if !(1...100_000).contains(limit) {
            throw ValidationError("--limit must be from 1 to 100000")
        }
    }

    func run() throws {
        let settings = try CommandSupport.settings(config: state.config, environment: ProcessEnvironment.current())
        let budget = timeout.map { Duration.seconds($0) } ?? settings.configuration.timeout
        let clock = ContinuousClock()
        let started = clock.now
        let sender = settings.sender(apiKey: try CommandSupport.apiKey(settings))
        let store = try CommandSupport.openStore(settings, flag: state.stateDir, busyTimeout: min(.seconds(5), budget / 2))
        let outbox = settings.outbox(store: store)
        let lease = sender.lease(within: budget)
        runEscalations(outbox: outbox)
        let report = try CommandSupport.stored { () throws(StateError) in
            try outbox.flush(limit: limit, sender: sender, within: budget, lease: lease)
        }
        for line in OutcomeText.lines(for: report.results, digests: [:], maxAge: settings.configuration.policy.maxAge) {
            Console.line(line)
        }
        let sent = report.results.filter { $0.receipt != nil }.count
        Console.line("flush: \(sent) sent, \(report.results.count - sent) not sent, \(report.expired) expired, \(report.released) taken back, \(report.digests) digest(s) queued, \(report.remaining) still queued")
        pollReceipts(settings: settings, store: store, sender: sender, within: budget - (clock.now - started))
        let failures = report.results.compactMap(\.error)
        let status = ExitStatus(worst: SMSPartnerError.worst(of: failures))
        guard status != .ok, let worst = SMSPartnerError.worst(of: failures) else { return }
        throw CommandFailure(status, "flush incomplete: \(worst)")
    }

    /// Runs the escalations (``Escalator/run()``) before delivering, so that a step due goes
    /// out in this run: one line per step fired or escalation stopped; a failure is a warning
    /// (the next run tries again), never a reason not to deliver.
    func runEscalations(outbox: Outbox) {
        do {
            let report = try Escalator(outbox: outbox).run()
            for event in report.events {
                let numbers = event.queued.map(\.e164).joined(separator: ", ")
                var line = "escalation \(event.kind.rawValue): \(event.label.displayEscaped) (\(event.policy.displayEscaped) step \(event.step)/\(event.steps))"
                if let cause = event.cause { line += ", \(cause.rawValue)" }
                if !numbers.isEmpty { line += ", queued for \(numbers)" }
                Console.line(line)
            }
        } catch {
            Console.warning("warning: escalations not run now (tried again next time): \(error)")
        }
    }

    /// Asks for the delivery receipts that are due, with what is left of the budget; a
    /// failure to ask is a warning (asked again later), and so is an SMS not delivered (stderr,
    /// where `flush` writes only warnings when it succeeds).
    func pollReceipts(settings: Settings, store: any StateStore, sender: Delivery, within budget: Duration) {
        guard budget >= .seconds(1) else { return }
        let poller = settings.receiptPoller(store: store, sender: sender)
        do {
            let report = try poller.poll(within: budget)
            for final in report.finals {
                if final.state == .delivered {
                    Console.line(ReceiptText.line(final))
                } else {
                    Console.warning("warning: " + ReceiptText.line(final))
                }
            }
            if let failure = report.failure {
                Console.warning("warning: delivery receipts not asked for now (asked again later): \(failure)")
            }
        } catch {
            Console.warning("warning: delivery receipts not recorded: \(error)")
        }
    }
}
