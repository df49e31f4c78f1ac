import ArgumentParser
import NotifyCore
import SMSText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the command and turns every failure into one line on stderr and a contract exit code.
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `send` runs once per notification, so it is parsed on its own: ArgumentParser then
        // skips the whole-tree pass that looks for `--generate-completion-script`, which
        // costs more than the rest of the parse (see scripts/bench).
        let isSend = arguments.first == SendCommand.configuration.commandName
        let commandType: any ParsableCommand.Type = isSend ? SendCommand.self : SMSPartnerNotifyCommand.self
        do {
            let rest = isSend ? Array(arguments.dropFirst()) : arguments
            if isSend, let invocation = SendInvocation.quickParse(rest) {
                // The common `send` skips ArgumentParser's reflection (see SendInvocation+QuickParse).
                try invocation.run()
            } else {
                var command = try commandType.parseAsRoot(rest)
                try command.run()
            }
            CommandSupport.finish()
            exit(0)
        } catch let failure as CommandFailure {
            fail(failure.message, status: failure.status.rawValue)
        } catch {
            let code = commandType.exitCode(for: error)
            if code == .success {
                commandType.exit(withError: error)  // --help, --version: printed to stdout
            }
            let message = commandType.message(for: error)
                .split(separator: "\n").first.map(String.init) ?? "invalid usage"
            if arguments.first == CheckCommand.configuration.commandName {
                // A plugin's wrong usage is UNKNOWN, on stdout, where Nagios and Icinga read it.
                CheckCommand.finish(.unknown("usage", "\(message.replacingErrorPrefix()) (see check --help)"))
            }
            let status = code.rawValue == ExitCode.validationFailure.rawValue ? ExitStatus.usage.rawValue : code.rawValue
            fail("\(message.replacingErrorPrefix()) (see --help)", status: status)
        }
    }

    /// Prints `smspartner-notify: <message>` as exactly one line on stderr and exits.
    static func fail(_ message: String, status: Int32) -> Never {
        // Out of time (or the store busy): leave the WAL for a later process, within budget.
        if status != ExitStatus.tempFailure.rawValue { CommandSupport.finish() }
        fflush(nil)
        // One line whatever the message holds: its own line breaks become spaces, and any
        // control character that came with the input is escaped.
        Console.warning(message.split(whereSeparator: { $0.isNewline }).joined(separator: " "))
        exit(status)
    }
}

extension String {
    /// ArgumentParser starts its messages with "Error: "; the tool's own prefix replaces it.
    func replacingErrorPrefix() -> String {
        hasPrefix("Error: ") ? String(dropFirst(7)) : self
    }
}
