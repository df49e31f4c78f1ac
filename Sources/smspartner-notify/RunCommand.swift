import AlertModel
import ArgumentParser
import NotifyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `smspartner-notify run`: a shell check or a cron job, texted once per failure streak and
/// once on its recovery.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        _superCommandName: ToolVersion.name,
        abstract: "Run a command; text once when it starts failing, once when it recovers.",
        discussion: """
            The command runs without a shell (write `sh -c '…'` for one), with our standard \
            input; its output is echoed as it comes, so cron mail still works. A failed run \
            (non-zero exit, a signal, a --timeout) sends one PROBLEM SMS: the check's name, this \
            host, the exit status and the last line of its output (stderr, else stdout). \
            Nothing more is sent while it keeps failing; one RECOVERY goes when it succeeds \
            again. The check's state lives in the state directory, shared by concurrent runs. \
            Recipients: --to, else the configuration's receivers.run. \
            Exit status: the command's own (128+N when signal N killed it, 124 when it timed \
            out, 127 when it cannot be found, 126 when it cannot be run); 64 for a usage error \
            of run itself. An SMS that could not be sent is reported on stderr and does not \
            change it, unless --strict: then the exit status is the one send would give (69, \
            73, 74, 75, 78).
            """,
        version: ToolVersion.current
    )

    @Option(help: ArgumentHelp(
        "The check's name, its identity in the state and the SMS (default: the command line).", valueName: "name"))
    var name: String?

    @Option(name: .customLong("to"), help: ArgumentHelp(
        "Recipient phone number; repeat the flag or separate numbers with commas (default: the configuration's receivers.run).",
        valueName: "number"))
    var to: [String] = []

    @Option(help: ArgumentHelp(
        "Seconds the command may run: then its process group gets SIGTERM, and SIGKILL 5 s later.", valueName: "seconds"))
    var timeout: Int?

    @Option(help: ArgumentHelp("Failed runs in a row before the PROBLEM is sent.", valueName: "n"))
    var failAfter: Int = 1

    @Flag(help: "Read the exit status as a Monitoring Plugin's (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): text each change of state, with the first line of the output.")
    var nagios = false

    @Option(help: ArgumentHelp(
        "How bad a failed run is: critical (urgent: it goes through quiet_hours' allow: [critical]) or warning (it waits for the morning digest). Ignored with --nagios: the plugin says.",
        valueName: "critical|warning"))
    var severity: RunSeverity = .critical

    @Flag(help: "Exit with send's status when an SMS could not be sent, instead of the command's.")
    var strict = false

    @Flag(help: "Run the command, show what would be sent; record and send nothing.")
    var dryRun = false

    @OptionGroup var state: StateOptions

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    /// The arguments as plain values: what `run` does is ``RunInvocation``'s.
    var invocation: RunInvocation {
        RunInvocation(name: name, to: to, timeout: timeout, failAfter: failAfter, nagios: nagios,
                      failure: severity == .warning ? .warning : .critical, strict: strict,
                      dryRun: dryRun, config: state.config, stateDir: state.stateDir, command: command)
    }

    func validate() throws {
        guard !command.isEmpty, !command[0].isEmpty else {
            throw ValidationError("no command to run: write it after --, as in run -- /usr/local/bin/backup")
        }
        if let timeout, !(1...86_400).contains(timeout) {
            throw ValidationError("--timeout must be from 1 to 86400 seconds")
        }
        guard (1...1000).contains(failAfter) else {
            throw ValidationError("--fail-after must be from 1 to 1000")
        }
        if let name, name.trimmingWhitespace().isEmpty {
            throw ValidationError("--name must not be blank")
        }
    }

    func run() throws {
        let status = invocation.run()
        CommandSupport.finish()
        fflush(nil)
        Glibc.exit(status)
    }
}
