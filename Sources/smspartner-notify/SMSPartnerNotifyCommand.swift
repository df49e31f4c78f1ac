import ArgumentParser
import NotifyCore

/// `smspartner-notify`: monitoring alerts as transactional SMS through SMSPartner.
struct SMSPartnerNotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ToolVersion.name,
        abstract: "Send monitoring alerts as short transactional SMS through SMSPartner.",
        discussion: """
            Environment: SMSPARTNER_API_KEY or SMSPARTNER_API_KEY_FILE (the API key), \
            SMSPARTNER_API_URL (default https://api.smspartner.fr/v1), \
            SMSPARTNER_NOTIFY_CONFIG (the YAML configuration file).
            """,
        version: ToolVersion.current,
        subcommands: [SendCommand.self, RunCommand.self, FlushCommand.self, StatusCommand.self, CheckCommand.self, ServeCommand.self]
    )
}
