import ArgumentParser
import NotifyCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the command and turns every failure into one line on stderr and a contract exit code.
@main
enum Entry {
    static func main() {
        do {
            var command = try SMSPartnerNotifyCommand.parseAsRoot()
            try command.run()
            exit(0)
        } catch let failure as CommandFailure {
            fail(failure.message, status: failure.status.rawValue)
        } catch {
            let code = SMSPartnerNotifyCommand.exitCode(for: error)
            if code == .success {
                SMSPartnerNotifyCommand.exit(withError: error)  // --help, --version: printed to stdout
            }
            let message = SMSPartnerNotifyCommand.message(for: error)
                .split(separator: "\n").first.map(String.init) ?? "invalid usage"
            let status = code.rawValue == ExitCode.validationFailure.rawValue ? ExitStatus.usage.rawValue : code.rawValue
            fail("\(message.replacingErrorPrefix()) (see --help)", status: status)
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        fflush(nil)
        var line = Array("\(ToolVersion.name): \(message)\n".utf8)
        while !line.isEmpty {
            let written = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break }
            line.removeFirst(written)
        }
        exit(status)
    }
}

extension String {
    /// ArgumentParser starts its messages with "Error: "; the tool's own prefix replaces it.
    func replacingErrorPrefix() -> String {
        hasPrefix("Error: ") ? String(dropFirst(7)) : self
    }
}
