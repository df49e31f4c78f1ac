import ArgumentParser

/// The options every subcommand shares: where the configuration and the shared state live.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("YAML configuration file (default: $SMSPARTNER_NOTIFY_CONFIG, else /etc/smspartner-notify/config.yml if present).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp(
        "Directory of the shared state (deduplication, rate limits, outbox).",
        discussion: "Default: $SMSPARTNER_STATE_DIR, else the configuration's state_dir, else /var/lib/smspartner-notify when writable, else $XDG_STATE_HOME/smspartner-notify.",
        valueName: "dir"))
    var stateDir: String?
}
