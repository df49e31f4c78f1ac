/// Decodes a Nagios 4 notification: the contract's alert flags, or the `NAGIOS_*` environment
/// macros Nagios exports to notification commands when `enable_environment_macros=1`.
///
/// What it reads from the environment:
/// - the type (`NAGIOS_NOTIFICATIONTYPE`), host (`NAGIOS_HOSTNAME`, `NAGIOS_HOSTALIAS`,
///   `NAGIOS_HOSTADDRESS`, `NAGIOS_HOSTSTATE`) and, for a service notification (one with
///   `NAGIOS_SERVICEDESC`), the service (`NAGIOS_SERVICEDISPLAYNAME`, `NAGIOS_SERVICESTATE`);
/// - the output of whichever the notification is about (`NAGIOS_SERVICEOUTPUT` and
///   `NAGIOS_LONGSERVICEOUTPUT`, else `NAGIOS_HOSTOUTPUT` and `NAGIOS_LONGHOSTOUTPUT`), the long
///   output unescaped (Nagios writes its newlines as `\n` and its backslashes as `\\`);
/// - `NAGIOS_LONGDATETIME` as ``Alert/startsAt``;
/// - the author: `NAGIOS_NOTIFICATIONAUTHOR` (the name as the user gave it, usually the contact's
///   alias, and set whenever someone acted), else `NAGIOS_NOTIFICATIONAUTHORNAME` (the matching
///   contact's short name), else for an ACKNOWLEDGEMENT `NAGIOS_SERVICEACKAUTHOR` /
///   `NAGIOS_HOSTACKAUTHOR`; the comment likewise from `NAGIOS_NOTIFICATIONCOMMENT`, else the
///   acknowledgement's comment;
/// - custom variables as labels sorted by name: `NAGIOS__HOSTFOO` → `host_foo`,
///   `NAGIOS__SERVICEFOO` → `service_foo`, `NAGIOS__CONTACTFOO` → `contact_foo`; the severity
///   from the `service_severity` (service notifications) or `host_severity` label, if any;
/// - the recipients: `NAGIOS_CONTACTPAGER`, then `NAGIOS_CONTACTADDRESS0` … `5` (0-based in the
///   environment, although `$CONTACTADDRESS1$` is the first on a command line), without repeats.
///   They are read from the environment in flags mode too, when Nagios exports them.
///
/// Every other macro is ignored. Blank values and unexpanded `$MACRO$`s count as absent.
///
/// The dedup key is `nagios:HOST[/SERVICE]:TYPE:PROBLEMID:STATE`, e.g.
/// `nagios:web01/HTTP:PROBLEM:1234:CRITICAL`: the problem id is `NAGIOS_SERVICEPROBLEMID`
/// (`NAGIOS_HOSTPROBLEMID` for a host), or when that is 0, as it is for a RECOVERY, the
/// `NAGIOS_LAST…PROBLEMID`. Without a problem id (flags mode) it is `nagios:HOST[/SERVICE]:TYPE:STATE`.
/// The state keeps a WARNING → CRITICAL change within one problem from looking like a repeat;
/// the type keeps an ACKNOWLEDGEMENT apart from its PROBLEM. Absent parts are `-`; the type
/// and state are upper-cased; see ``dedupKey(source:host:service:type:problemID:state:)``.
public enum NagiosDecoder {
    /// Whether the environment holds Nagios' notification macros (`NAGIOS_NOTIFICATIONTYPE` or
    /// `NAGIOS_HOSTNAME`, not blank), as `--format auto` needs to know.
    public static func hasEnvironmentMacros(_ environment: [String: String]) -> Bool {
        let input = AlertInput(environment: environment)
        return input.env("NAGIOS_NOTIFICATIONTYPE") != nil || input.env("NAGIOS_HOSTNAME") != nil
    }

    /// The notification: from the flags when any is given, else from the `NAGIOS_*` macros.
    ///
    /// - Throws: ``DecodeError/noInput`` without flags and without any `NAGIOS_*` value;
    ///   ``DecodeError/empty(format:reason:)`` when neither names a host, a service or an output.
    public static func decode(_ input: AlertInput) throws(DecodeError) -> Notification {
        var alert: Alert
        if !input.flags.isEmpty {
            alert = try flagsAlert(input.flags, source: .nagios, format: .nagios)
        } else {
            let hasMacros = input.environment.keys.contains { $0.hasPrefix("NAGIOS_") && input.env($0) != nil }
            guard hasMacros else { throw .noInput }
            alert = environmentAlert(input)
            guard alert.hasContent else {
                throw .empty(
                    format: .nagios,
                    reason: "the NAGIOS_* macros name no host (NAGIOS_HOSTNAME), service (NAGIOS_SERVICEDESC) or output (NAGIOS_HOSTOUTPUT, NAGIOS_SERVICEOUTPUT)"
                )
            }
        }
        alert.recipients = recipients(input)
        return Notification(single: alert)
    }

    // MARK: - Environment macros

    private static func environmentAlert(_ input: AlertInput) -> Alert {
        let type = input.env("NAGIOS_NOTIFICATIONTYPE")
        let host = input.env("NAGIOS_HOSTNAME")
        let service = input.env("NAGIOS_SERVICEDESC")
        let isService = service != nil
        let object = isService ? "SERVICE" : "HOST"

        let (output, longOutput) = splitOutput(
            input.env("NAGIOS_\(object)OUTPUT"),
            long: input.env("NAGIOS_LONG\(object)OUTPUT").map(unescapeNagiosOutput)
        )
        let state = isService ? input.env("NAGIOS_SERVICESTATE") : input.env("NAGIOS_HOSTSTATE")

        let isAcknowledgement = NotificationKind(type) == .acknowledgement
        let author = input.env("NAGIOS_NOTIFICATIONAUTHOR")
            ?? input.env("NAGIOS_NOTIFICATIONAUTHORNAME")
            ?? (isAcknowledgement ? input.env("NAGIOS_\(object)ACKAUTHOR") : nil)
        let comment = input.env("NAGIOS_NOTIFICATIONCOMMENT")
            ?? (isAcknowledgement ? input.env("NAGIOS_\(object)ACKCOMMENT") : nil)

        let labels = customVariables(input)
        let severity = (isService ? labels.first(where: { $0.name == "service_severity" })?.value : nil)
            ?? labels.first(where: { $0.name == "host_severity" })?.value

        return Alert(
            source: .nagios,
            notificationType: type,
            host: host,
            hostDisplayName: differing(input.env("NAGIOS_HOSTALIAS"), from: host),
            hostAddress: input.env("NAGIOS_HOSTADDRESS"),
            hostState: input.env("NAGIOS_HOSTSTATE"),
            service: service,
            serviceDisplayName: isService ? differing(input.env("NAGIOS_SERVICEDISPLAYNAME"), from: service) : nil,
            serviceState: isService ? state : nil,
            output: output,
            longOutput: longOutput,
            author: author,
            comment: comment,
            severity: severity,
            labels: labels,
            startsAt: input.env("NAGIOS_LONGDATETIME"),
            dedupKey: dedupKey(
                source: "nagios",
                host: host,
                service: service,
                type: type,
                problemID: nonZero(input.env("NAGIOS_\(object)PROBLEMID"))
                    ?? nonZero(input.env("NAGIOS_LAST\(object)PROBLEMID")),
                state: state,
                author: author,
                comment: comment
            )
        )
    }

    /// `NAGIOS__HOSTFOO` → `host_foo`, `NAGIOS__SERVICEFOO` → `service_foo`,
    /// `NAGIOS__CONTACTFOO` → `contact_foo`, sorted by name (then value).
    private static func customVariables(_ input: AlertInput) -> [Label] {
        let scopes: [(macro: String, label: String)] = [("HOST", "host"), ("SERVICE", "service"), ("CONTACT", "contact")]
        var labels: [Label] = []
        for key in input.environment.keys where key.hasPrefix("NAGIOS__") {
            let rest = key.dropFirst("NAGIOS__".count)
            guard let scope = scopes.first(where: { rest.hasPrefix($0.macro) }) else { continue }
            let name = rest.dropFirst(scope.macro.count)
            guard !name.isEmpty, let value = input.env(key) else { continue }
            labels.append(Label("\(scope.label)_\(name.lowercased())", value))
        }
        return labels.sorted { ($0.name, $0.value) < ($1.name, $1.value) }
    }

    /// `NAGIOS_CONTACTPAGER`, then `NAGIOS_CONTACTADDRESS0` … `NAGIOS_CONTACTADDRESS5`.
    private static func recipients(_ input: AlertInput) -> [String] {
        let names = ["NAGIOS_CONTACTPAGER"] + (0...5).map { "NAGIOS_CONTACTADDRESS\($0)" }
        return withoutRepeats(names.compactMap { input.env($0) })
    }

    /// Undoes Nagios' escaping of long plugin output: `\n` becomes a newline and `\\` a
    /// backslash; any other backslash is kept as it is.
    static func unescapeNagiosOutput(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                escaping = false
                switch scalar {
                case "n": result.append("\n")
                case "\\": result.append("\\")
                default:
                    result.append("\\")
                    result.append(scalar)
                }
            } else if scalar == "\\" {
                escaping = true
            } else {
                result.append(scalar)
            }
        }
        if escaping { result.append("\\") }
        return String(result)
    }

    private static func nonZero(_ id: String?) -> String? {
        guard let id, !id.allSatisfy({ $0 == "0" }) else { return nil }
        return id
    }

    // MARK: - Shared with IcingaDecoder

    /// The alert the contract's flags describe (no display names, ids, labels or recipients),
    /// with the dedup key `SOURCE:HOST[/SERVICE]:TYPE:STATE`.
    static func flagsAlert(_ flags: AlertInput.Flags, source: Alert.Source, format: InputFormat) throws(DecodeError) -> Alert {
        let type = cleaned(flags.notificationType)
        let host = cleaned(flags.host)
        let hostState = cleaned(flags.hostState)
        let service = cleaned(flags.service)
        let serviceState = service == nil ? nil : cleaned(flags.serviceState)
        let (output, longOutput) = splitOutput(cleaned(flags.output), long: nil)
        let author = cleaned(flags.author)
        let comment = cleaned(flags.comment)
        let alert = Alert(
            source: source,
            notificationType: type,
            host: host,
            hostState: hostState,
            service: service,
            serviceState: serviceState,
            output: output,
            longOutput: longOutput,
            author: author,
            comment: comment,
            dedupKey: dedupKey(
                source: source.rawValue,
                host: host,
                service: service,
                type: type,
                problemID: nil,
                state: service == nil ? hostState : serviceState,
                author: author,
                comment: comment
            )
        )
        guard alert.hasContent else {
            throw .empty(format: format, reason: "the alert flags name no host (--host), service (--service) or output (--output)")
        }
        return alert
    }

    /// A value as ``AlertInput/env(_:)`` would read it: trimmed, nil when blank or an
    /// unexpanded `$MACRO$`.
    static func cleaned(_ value: String?) -> String? {
        guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
        if value.count > 2, value.first == "$", value.last == "$" { return nil }
        return value
    }

    /// `value`, unless it is the same as `other` (a display name equal to the name).
    static func differing(_ value: String?, from other: String?) -> String? {
        value == other ? nil : value
    }

    /// The output's first non-blank line, and the rest (its further lines, then `long`) with
    /// trailing whitespace and blank lines at either end removed; nil for what is empty.
    static func splitOutput(_ output: String?, long: String?) -> (output: String?, longOutput: String?) {
        let text = [output, long].compactMap { $0 }.joined(separator: "\n")
        guard let (first, rest) = PlainTextDecoder.firstLineAndRest(text) else { return (nil, nil) }
        return (first, rest)
    }

    /// The longest a dedup key gets, in UTF-8 bytes; longer keys keep a readable prefix and
    /// end with `~` and the ``StableHash`` of the whole key.
    static let maxDedupKeyBytes = 256

    /// `SOURCE:HOST[/SERVICE]:TYPE[:PROBLEMID]:STATE[:by:HASH]`, with `-` for an absent host,
    /// type or state, the type and state upper-cased.
    ///
    /// An acknowledgement or a custom notification is news by who sent it and what they wrote:
    /// a second acknowledgement by someone else, or another custom message, is not a duplicate
    /// of the first. Their key ends with the ``StableHash`` of the author and the comment.
    static func dedupKey(source: String, host: String?, service: String?, type: String?, problemID: String?, state: String?,
                         author: String? = nil, comment: String? = nil) -> String {
        var key = "\(source):\(host ?? "-")"
        if let service { key += "/\(service)" }
        key += ":\(type?.uppercased() ?? "-")"
        if let problemID { key += ":\(problemID)" }
        key += ":\(state?.uppercased() ?? "-")"
        let kind = NotificationKind(type)
        if kind == .acknowledgement || kind == .custom, author != nil || comment != nil {
            key += ":by:" + StableHash.hex("\(author ?? "")\u{0}\(comment ?? "")")
        }
        guard key.utf8.count > maxDedupKeyBytes else { return key }
        let hash = "~" + StableHash.hex(key)
        var prefix = String.UnicodeScalarView()
        var bytes = 0
        for scalar in key.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxDedupKeyBytes - hash.utf8.count { break }
            prefix.append(scalar)
        }
        return String(prefix) + hash
    }

    /// The values in order, each only the first time.
    static func withoutRepeats(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }
}
