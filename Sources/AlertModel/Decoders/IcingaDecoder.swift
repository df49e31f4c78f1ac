/// Decodes an Icinga 2 notification: the contract's alert flags, or the environment names the
/// stock notification commands use (`/etc/icinga2/conf.d/commands.conf`,
/// `scripts/mail-service-notification.sh`).
///
/// What it reads from the environment (Icinga 2 ≥ 2.7 names, with the older ones in brackets):
/// - `NOTIFICATIONTYPE` (PROBLEM, RECOVERY, ACKNOWLEDGEMENT, FLAPPINGSTART, FLAPPINGEND,
///   DOWNTIMESTART, DOWNTIMEEND, DOWNTIMEREMOVED, CUSTOM);
/// - the host: `HOSTNAME` (else `HOSTALIAS`, else `HOSTDISPLAYNAME`, since the old service command
///   exports no `HOSTNAME`), its display name `HOSTDISPLAYNAME` (`HOSTALIAS`) when it differs,
///   `HOSTADDRESS`, `HOSTSTATE`;
/// - the service: `SERVICENAME` (`SERVICEDESC`); a notification with one is a service
///   notification; `SERVICEDISPLAYNAME` when it differs, `SERVICESTATE`;
/// - the output (`SERVICEOUTPUT`, or `HOSTOUTPUT` for a host): its first line, and the rest as
///   ``Alert/longOutput``;
/// - `LONGDATETIME` as ``Alert/startsAt``, `NOTIFICATIONAUTHORNAME`, `NOTIFICATIONCOMMENT`;
/// - the recipient: `USERPAGER`.
///
/// `HOSTADDRESS6`, `USEREMAIL` and everything else are ignored; so are blank values and
/// unexpanded `$macro$`s. `HOSTNAME` alone does not make an Icinga environment: containers
/// export it to every process.
///
/// The dedup key is `icinga:HOST[/SERVICE]:TYPE:STATE`, e.g. `icinga:web01/http:PROBLEM:CRITICAL`
/// (stock Icinga 2 exports no problem id); absent parts are `-`, the type and state upper-cased.
public enum IcingaDecoder {
    /// The environment names this decoder reads, other than `HOSTNAME`: any of them (not blank)
    /// means an Icinga environment is there to decode.
    private static let names = [
        "NOTIFICATIONTYPE", "HOSTALIAS", "HOSTDISPLAYNAME", "HOSTADDRESS", "HOSTSTATE", "HOSTOUTPUT",
        "SERVICENAME", "SERVICEDESC", "SERVICEDISPLAYNAME", "SERVICESTATE", "SERVICEOUTPUT",
        "LONGDATETIME", "NOTIFICATIONAUTHORNAME", "NOTIFICATIONCOMMENT", "USERPAGER",
    ]

    /// Whether the environment looks like an Icinga 2 notification command's: `NOTIFICATIONTYPE`
    /// together with `HOSTNAME`, `HOSTALIAS` or `HOSTDISPLAYNAME` (not blank), as `--format auto`
    /// needs to know.
    public static func hasEnvironment(_ environment: [String: String]) -> Bool {
        let input = AlertInput(environment: environment)
        guard input.env("NOTIFICATIONTYPE") != nil else { return false }
        return ["HOSTNAME", "HOSTALIAS", "HOSTDISPLAYNAME"].contains { input.env($0) != nil }
    }

    /// The notification: from the flags when any is given, else from the Icinga 2 environment.
    ///
    /// - Throws: ``DecodeError/noInput`` without flags and without any of the names above;
    ///   ``DecodeError/empty(format:reason:)`` when neither names a host, a service or an output.
    public static func decode(_ input: AlertInput) throws(DecodeError) -> Notification {
        var alert: Alert
        if !input.flags.isEmpty {
            alert = try NagiosDecoder.flagsAlert(input.flags, source: .icinga, format: .icinga)
        } else {
            guard names.contains(where: { input.env($0) != nil }) else { throw .noInput }
            alert = environmentAlert(input)
            guard alert.hasContent else {
                throw .empty(
                    format: .icinga,
                    reason: "the environment names no host (HOSTNAME, HOSTDISPLAYNAME), service (SERVICENAME, SERVICEDESC) or output (HOSTOUTPUT, SERVICEOUTPUT)"
                )
            }
        }
        alert.recipients = input.env("USERPAGER").map { [$0] } ?? []
        return Notification(single: alert)
    }

    private static func environmentAlert(_ input: AlertInput) -> Alert {
        let type = input.env("NOTIFICATIONTYPE")
        let displayName = input.env("HOSTDISPLAYNAME") ?? input.env("HOSTALIAS")
        let host = input.env("HOSTNAME") ?? input.env("HOSTALIAS") ?? input.env("HOSTDISPLAYNAME")
        let service = input.env("SERVICENAME") ?? input.env("SERVICEDESC")
        let isService = service != nil
        let (output, longOutput) = NagiosDecoder.splitOutput(
            isService ? input.env("SERVICEOUTPUT") : input.env("HOSTOUTPUT"),
            long: nil
        )
        let serviceState = isService ? input.env("SERVICESTATE") : nil
        let hostState = input.env("HOSTSTATE")
        let author = input.env("NOTIFICATIONAUTHORNAME")
        let comment = input.env("NOTIFICATIONCOMMENT")
        return Alert(
            source: .icinga,
            notificationType: type,
            host: host,
            hostDisplayName: NagiosDecoder.differing(displayName, from: host),
            hostAddress: input.env("HOSTADDRESS"),
            hostState: hostState,
            service: service,
            serviceDisplayName: isService ? NagiosDecoder.differing(input.env("SERVICEDISPLAYNAME"), from: service) : nil,
            serviceState: serviceState,
            output: output,
            longOutput: longOutput,
            author: author,
            comment: comment,
            startsAt: input.env("LONGDATETIME"),
            dedupKey: NagiosDecoder.dedupKey(
                source: "icinga",
                host: host,
                service: service,
                type: type,
                problemID: nil,
                state: isService ? serviceState : hostState,
                author: author,
                comment: comment
            )
        )
    }
}
