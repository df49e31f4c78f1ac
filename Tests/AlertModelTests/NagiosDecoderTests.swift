import AlertModel
import TestSupport
import Testing

@Suite struct NagiosDecoderTests {
    typealias Case = EnvironmentCase

    /// A notification about web01's HTTP service, as the `service-*` fixtures describe it.
    static func web01HTTP(
        _ type: String, _ state: String, _ output: String, key: String,
        author: String? = nil, comment: String? = nil
    ) -> Alert {
        Alert(
            source: .nagios, notificationType: type,
            host: "web01", hostDisplayName: "Web server 01 (Paris)", hostAddress: "192.0.2.10", hostState: "UP",
            service: "HTTP", serviceState: state, output: output,
            author: author, comment: comment,
            startsAt: "Tue May 14 10:32:11 CEST 2024", dedupKey: key, recipients: [Case.pager]
        )
    }

    static let downtimeAuthor = "Nagios Admin"
    static let downtimeComment = "Kernel upgrade and reboot (CHG-2291)"

    static let cases: [Case] = [
        Case(fixture: "nagios/service-problem.env", kind: .problem, alert: web01HTTP(
            "PROBLEM", "CRITICAL", Case.httpCritical, key: "nagios:web01/HTTP:PROBLEM:18342:CRITICAL")),
        Case(fixture: "nagios/service-recovery.env", kind: .recovery, alert: web01HTTP(
            "RECOVERY", "OK", Case.httpOK, key: "nagios:web01/HTTP:RECOVERY:18342:OK")),
        Case(fixture: "nagios/service-acknowledgement.env", kind: .acknowledgement, alert: web01HTTP(
            "ACKNOWLEDGEMENT", "CRITICAL", Case.httpCritical, key: "nagios:web01/HTTP:ACKNOWLEDGEMENT:18342:CRITICAL:by:b9487c24037d8b36",
            author: "Jane Doe", comment: "Looking into it - backend pool drained after deploy")),
        Case(fixture: "nagios/service-flappingstart.env", kind: .flappingStart, alert: web01HTTP(
            "FLAPPINGSTART", "WARNING", Case.httpSlow, key: "nagios:web01/HTTP:FLAPPINGSTART:18350:WARNING")),
        Case(fixture: "nagios/service-flappingstop.env", kind: .flappingStop, alert: web01HTTP(
            "FLAPPINGSTOP", "OK", Case.httpOK, key: "nagios:web01/HTTP:FLAPPINGSTOP:18350:OK")),
        Case(fixture: "nagios/service-flappingdisabled.env", kind: .flappingDisabled, alert: web01HTTP(
            "FLAPPINGDISABLED", "WARNING", Case.httpSlow, key: "nagios:web01/HTTP:FLAPPINGDISABLED:18350:WARNING")),
        Case(fixture: "nagios/service-downtimestart.env", kind: .downtimeStart, alert: web01HTTP(
            "DOWNTIMESTART", "OK", Case.httpOK, key: "nagios:web01/HTTP:DOWNTIMESTART:18342:OK",
            author: downtimeAuthor, comment: downtimeComment)),
        Case(fixture: "nagios/service-downtimeend.env", kind: .downtimeEnd, alert: web01HTTP(
            "DOWNTIMEEND", "OK", Case.httpOK, key: "nagios:web01/HTTP:DOWNTIMEEND:18342:OK",
            author: downtimeAuthor, comment: downtimeComment)),
        Case(fixture: "nagios/service-downtimecancelled.env", kind: .downtimeCancelled, alert: web01HTTP(
            "DOWNTIMECANCELLED", "OK", Case.httpOK, key: "nagios:web01/HTTP:DOWNTIMECANCELLED:18342:OK",
            author: downtimeAuthor, comment: downtimeComment)),
        Case(fixture: "nagios/service-custom.env", kind: .custom, alert: web01HTTP(
            "CUSTOM", "CRITICAL", Case.httpCritical, key: "nagios:web01/HTTP:CUSTOM:18342:CRITICAL:by:882fe88af0219a2c",
            author: "Nagios Admin", comment: "Is anyone on this? Customers are calling.")),
        Case(fixture: "nagios/host-problem.env", kind: .problem, alert: Alert(
            source: .nagios, notificationType: "PROBLEM",
            host: "db01", hostDisplayName: "PostgreSQL primary", hostAddress: "192.0.2.20", hostState: "DOWN",
            output: "CRITICAL - 192.0.2.20: rta nan, lost 100%",
            startsAt: "Tue May 14 10:32:11 CEST 2024", dedupKey: "nagios:db01:PROBLEM:9120:DOWN", recipients: [Case.pager])),
        Case(fixture: "nagios/host-recovery.env", kind: .recovery, alert: Alert(
            source: .nagios, notificationType: "RECOVERY",
            host: "db01", hostDisplayName: "PostgreSQL primary", hostAddress: "192.0.2.20", hostState: "UP",
            output: "OK - 192.0.2.20: rta 0.412ms, lost 0%",
            startsAt: "Tue May 14 10:32:11 CEST 2024", dedupKey: "nagios:db01:RECOVERY:9120:UP", recipients: [Case.pager])),
        Case(fixture: "nagios/service-problem-custom-vars.env", kind: .problem, alert: Alert(
            source: .nagios, notificationType: "PROBLEM",
            host: "app01", hostAddress: "192.0.2.30", hostState: "UP",
            service: "Disk /var", serviceDisplayName: "Disk usage on /var", serviceState: "CRITICAL",
            output: "DISK CRITICAL - free space: /var 812 MB (4% inode=91%);",
            longOutput: "/var/log 10240 MB\n/var/lib/docker 6122 MB\n/var/cache 311 MB",
            severity: "critical",
            labels: [
                Label("contact_team", "ops-oncall"),
                Label("host_owner", "platform-team"),
                Label("host_severity", "minor"),
                Label("host_site", "paris-dc2"),
                Label("service_runbook", "https://wiki.example.com/runbooks/disk-full"),
                Label("service_severity", "critical"),
            ],
            startsAt: "Tue May 14 10:32:11 CEST 2024",
            dedupKey: "nagios:app01/Disk /var:PROBLEM:18377:CRITICAL",
            recipients: [Case.pager, "+33698765432", "+33711223344"])),
        Case(fixture: "nagios/host-problem-unexpanded.env", kind: .problem, alert: Alert(
            source: .nagios, notificationType: "PROBLEM",
            host: "db01", hostAddress: "192.0.2.20", hostState: "DOWN",
            output: "CRITICAL - 192.0.2.20: rta nan, lost 100%",
            dedupKey: "nagios:db01:PROBLEM:9120:DOWN")),
    ]

    // MARK: - Fixtures

    @Test(arguments: cases)
    func fixtureDecodesToTheExpectedAlert(_ testCase: Case) throws {
        try EnvironmentDecoder.nagios.checkFixture(testCase)
    }

    @Test func everyFixtureHasACase() throws {
        #expect(try FixtureDirectory.decoders.names(in: "nagios") == Self.cases.map(\.fixture).sorted())
    }

    @Test func everyFixtureHasItsOwnDedupKey() throws {
        var keys: [String] = []
        for testCase in Self.cases where testCase.fixture != "nagios/host-problem-unexpanded.env" {
            let notification = try NagiosDecoder.decode(AlertInput(environment: try FixtureDirectory.decoders.environment(testCase.fixture)))
            keys.append(try #require(notification.dedupKey))
        }
        #expect(Set(keys).count == keys.count)
    }

    // MARK: - Environment details

    /// A minimal service notification environment, to vary one macro at a time.
    static let service: [String: String] = [
        "NAGIOS_NOTIFICATIONTYPE": "PROBLEM",
        "NAGIOS_HOSTNAME": "web01",
        "NAGIOS_HOSTSTATE": "UP",
        "NAGIOS_SERVICEDESC": "HTTP",
        "NAGIOS_SERVICESTATE": "CRITICAL",
        "NAGIOS_SERVICEOUTPUT": "HTTP CRITICAL: 503",
        "NAGIOS_SERVICEPROBLEMID": "77",
        "NAGIOS_LASTSERVICEPROBLEMID": "70",
    ]

    static func decode(_ environment: [String: String]) throws -> Alert {
        let notification = try NagiosDecoder.decode(AlertInput(environment: environment))
        return try #require(notification.alerts.first)
    }

    @Test func longOutputIsUnescapedTheWayNagiosEscapesIt() throws {
        var environment = Self.service
        environment["NAGIOS_LONGSERVICEOUTPUT"] = #"pool a: 0/2 healthy\npool b: 0/2 healthy\nlog: C:\\inetpub\\logs\\new.log\n"#
        let alert = try Self.decode(environment)
        #expect(alert.output == "HTTP CRITICAL: 503")
        #expect(alert.longOutput == #"pool a: 0/2 healthy\#npool b: 0/2 healthy\#nlog: C:\inetpub\logs\new.log"#)
    }

    @Test func aLoneBackslashInLongOutputIsKept() throws {
        var environment = Self.service
        environment["NAGIOS_LONGSERVICEOUTPUT"] = #"50% \o/ \"#
        #expect(try Self.decode(environment).longOutput == #"50% \o/ \"#)
    }

    @Test func longOutputWithoutAShortOutputFillsTheOutput() throws {
        var environment = Self.service
        environment["NAGIOS_SERVICEOUTPUT"] = nil
        environment["NAGIOS_LONGSERVICEOUTPUT"] = #"\nfirst\nsecond"#
        let alert = try Self.decode(environment)
        #expect(alert.output == "first")
        #expect(alert.longOutput == "second")
    }

    @Test func aRecoveryTakesTheLastProblemID() throws {
        var environment = Self.service
        environment["NAGIOS_NOTIFICATIONTYPE"] = "RECOVERY"
        environment["NAGIOS_SERVICESTATE"] = "OK"
        environment["NAGIOS_SERVICEPROBLEMID"] = "0"
        #expect(try Self.decode(environment).dedupKey == "nagios:web01/HTTP:RECOVERY:70:OK")
    }

    @Test func withoutAnyProblemIDTheKeyHasTheStateOnly() throws {
        var environment = Self.service
        environment["NAGIOS_SERVICEPROBLEMID"] = "0"
        environment["NAGIOS_LASTSERVICEPROBLEMID"] = "0"
        #expect(try Self.decode(environment).dedupKey == "nagios:web01/HTTP:PROBLEM:CRITICAL")
    }

    @Test func aStateChangeWithinOneProblemIsANewKey() throws {
        var environment = Self.service
        environment["NAGIOS_SERVICESTATE"] = "WARNING"
        let warning = try Self.decode(environment).dedupKey
        let critical = try Self.decode(Self.service).dedupKey
        #expect(warning == "nagios:web01/HTTP:PROBLEM:77:WARNING")
        #expect(warning != critical)
    }

    @Test func aHostNotificationUsesTheHostProblemIDAndIgnoresServiceMacros() throws {
        let alert = try Self.decode([
            "NAGIOS_NOTIFICATIONTYPE": "PROBLEM",
            "NAGIOS_HOSTNAME": "db01",
            "NAGIOS_HOSTALIAS": "db01",
            "NAGIOS_HOSTSTATE": "UNREACHABLE",
            "NAGIOS_HOSTOUTPUT": "CRITICAL - Host Unreachable (192.0.2.20)",
            "NAGIOS_HOSTPROBLEMID": "12",
            "NAGIOS_SERVICEDESC": " ",
            "NAGIOS_SERVICESTATE": "CRITICAL",
            "NAGIOS_SERVICEOUTPUT": "stale",
            "NAGIOS_SERVICEPROBLEMID": "99",
        ])
        #expect(alert.service == nil)
        #expect(alert.serviceState == nil)
        #expect(alert.hostDisplayName == nil)
        #expect(alert.output == "CRITICAL - Host Unreachable (192.0.2.20)")
        #expect(alert.dedupKey == "nagios:db01:PROBLEM:12:UNREACHABLE")
    }

    @Test func anAcknowledgementFallsBackOnTheAckMacros() throws {
        var environment = Self.service
        environment["NAGIOS_NOTIFICATIONTYPE"] = "ACKNOWLEDGEMENT"
        environment["NAGIOS_SERVICEACKAUTHOR"] = "Jane Doe"
        environment["NAGIOS_SERVICEACKCOMMENT"] = "on it"
        environment["NAGIOS_HOSTACKAUTHOR"] = "someone else"
        let alert = try Self.decode(environment)
        #expect(alert.author == "Jane Doe")
        #expect(alert.comment == "on it")

        let host = try Self.decode([
            "NAGIOS_NOTIFICATIONTYPE": "ACKNOWLEDGEMENT", "NAGIOS_HOSTNAME": "db01", "NAGIOS_HOSTSTATE": "DOWN",
            "NAGIOS_HOSTACKAUTHOR": "John Roe", "NAGIOS_HOSTACKCOMMENT": "power feed B",
        ])
        #expect(host.author == "John Roe")
        #expect(host.comment == "power feed B")
    }

    @Test func theAckMacrosAreNotReadForOtherTypes() throws {
        var environment = Self.service
        environment["NAGIOS_SERVICEACKAUTHOR"] = "Jane Doe"
        environment["NAGIOS_SERVICEACKCOMMENT"] = "on it"
        let alert = try Self.decode(environment)
        #expect(alert.author == nil)
        #expect(alert.comment == nil)
    }

    @Test func theAuthorIsTheNotificationAuthorThenItsContactName() throws {
        var environment = Self.service
        environment["NAGIOS_NOTIFICATIONTYPE"] = "CUSTOM"
        environment["NAGIOS_NOTIFICATIONAUTHORNAME"] = "jdoe"
        #expect(try Self.decode(environment).author == "jdoe")
        environment["NAGIOS_NOTIFICATIONAUTHOR"] = "Jane Doe"
        #expect(try Self.decode(environment).author == "Jane Doe")
    }

    @Test func severityComesFromTheCustomVariables() throws {
        var environment = Self.service
        #expect(try Self.decode(environment).severity == nil)
        environment["NAGIOS__HOSTSEVERITY"] = "minor"
        #expect(try Self.decode(environment).severity == "minor")
        environment["NAGIOS__SERVICESEVERITY"] = "major"
        #expect(try Self.decode(environment).severity == "major")
        environment["NAGIOS_SERVICEDESC"] = nil
        #expect(try Self.decode(environment).severity == "minor")
    }

    @Test func customVariablesOfOtherKindsOrWithoutANameAreIgnored() throws {
        var environment = Self.service
        environment["NAGIOS__HOST"] = "no name"
        environment["NAGIOS__TIMEPERIODX"] = "other object"
        environment["NAGIOS__SERVICEMixedCase"] = "v"
        environment["NAGIOS__CONTACTPAGER2"] = "+33600000000"
        #expect(try Self.decode(environment).labels == [Label("contact_pager2", "+33600000000"), Label("service_mixedcase", "v")])
    }

    @Test func recipientsArePagerThenAddressesZeroToFiveWithoutRepeats() throws {
        var environment = Self.service
        environment["NAGIOS_CONTACTADDRESS5"] = "+33655555555"
        environment["NAGIOS_CONTACTADDRESS6"] = "+33666666666"
        environment["NAGIOS_CONTACTADDRESS0"] = " +33600000000 "
        environment["NAGIOS_CONTACTADDRESS1"] = "$CONTACTADDRESS2$"
        environment["NAGIOS_CONTACTADDRESS2"] = "+33655555555"
        environment["NAGIOS_CONTACTPAGER"] = "+33611111111"
        let notification = try NagiosDecoder.decode(AlertInput(environment: environment))
        #expect(notification.recipients == ["+33611111111", "+33600000000", "+33655555555"])
    }

    @Test(arguments: ["", "   ", "\n\t", "$HOSTALIAS$", "$X$"])
    func blankAndUnexpandedValuesAreAbsent(_ value: String) throws {
        var environment = Self.service
        for name in ["NAGIOS_HOSTALIAS", "NAGIOS_HOSTADDRESS", "NAGIOS_SERVICEDISPLAYNAME", "NAGIOS_LONGDATETIME",
                     "NAGIOS_NOTIFICATIONAUTHOR", "NAGIOS_NOTIFICATIONCOMMENT", "NAGIOS_LONGSERVICEOUTPUT",
                     "NAGIOS_CONTACTPAGER", "NAGIOS_CONTACTADDRESS0", "NAGIOS__HOSTSITE", "NAGIOS_SERVICEPROBLEMID"] {
            environment[name] = value
        }
        let alert = try Self.decode(environment)
        #expect(alert == Alert(
            source: .nagios, notificationType: "PROBLEM", host: "web01", hostState: "UP",
            service: "HTTP", serviceState: "CRITICAL", output: "HTTP CRITICAL: 503",
            dedupKey: "nagios:web01/HTTP:PROBLEM:70:CRITICAL"
        ))
    }

    @Test func valuesAreTrimmed() throws {
        var environment = Self.service
        environment["NAGIOS_HOSTNAME"] = "  web01\n"
        environment["NAGIOS_SERVICEOUTPUT"] = "\n  HTTP CRITICAL: 503  \n"
        let alert = try Self.decode(environment)
        #expect(alert.host == "web01")
        #expect(alert.output == "HTTP CRITICAL: 503")
    }

    @Test func hugeNamesGiveABoundedKey() throws {
        var environment = Self.service
        environment["NAGIOS_HOSTNAME"] = String(repeating: "h", count: 100_000)
        let first = try #require(try Self.decode(environment).dedupKey)
        environment["NAGIOS_HOSTNAME"] = String(repeating: "h", count: 99_999) + "i"
        let second = try #require(try Self.decode(environment).dedupKey)
        #expect(first.utf8.count <= 256)
        #expect(first.hasPrefix("nagios:hhhh"))
        #expect(first != second)
        environment["NAGIOS_HOSTNAME"] = String(repeating: "é👩‍👩‍👧", count: 1_000)
        #expect(try #require(try Self.decode(environment).dedupKey).utf8.count <= 256)
    }

    // MARK: - Detection

    @Test func environmentMacrosAreDetectedByTypeOrHostName() {
        #expect(NagiosDecoder.hasEnvironmentMacros(["NAGIOS_NOTIFICATIONTYPE": "PROBLEM"]))
        #expect(NagiosDecoder.hasEnvironmentMacros(["NAGIOS_HOSTNAME": "web01"]))
        #expect(!NagiosDecoder.hasEnvironmentMacros([:]))
        #expect(!NagiosDecoder.hasEnvironmentMacros(["NAGIOS_HOSTNAME": " ", "NAGIOS_NOTIFICATIONTYPE": "$NOTIFICATIONTYPE$"]))
        #expect(!NagiosDecoder.hasEnvironmentMacros(["NOTIFICATIONTYPE": "PROBLEM", "HOSTNAME": "web01"]))
        #expect(!NagiosDecoder.hasEnvironmentMacros(["NAGIOS_CONTACTPAGER": "+33612345678"]))
    }

    // MARK: - Flags

    @Test func flagsMakeTheAlert() throws {
        let flags = AlertInput.Flags(
            notificationType: "PROBLEM", host: "web01", hostState: "UP", service: "HTTP",
            serviceState: "CRITICAL", output: "HTTP CRITICAL: 503\r\nbackend pool: 0/4 healthy\n\n"
        )
        let notification = try NagiosDecoder.decode(AlertInput(flags: flags))
        #expect(notification.alerts == [Alert(
            source: .nagios, notificationType: "PROBLEM", host: "web01", hostState: "UP",
            service: "HTTP", serviceState: "CRITICAL",
            output: "HTTP CRITICAL: 503", longOutput: "backend pool: 0/4 healthy",
            dedupKey: "nagios:web01/HTTP:PROBLEM:CRITICAL"
        )])
        #expect(notification.status == "PROBLEM")
        #expect(notification.dedupKey == "nagios:web01/HTTP:PROBLEM:CRITICAL")
    }

    @Test func hostFlagsKeyOnTheHostState() throws {
        let flags = AlertInput.Flags(notificationType: "recovery", host: "db01", hostState: "up", output: "PING OK")
        let alert = try #require(try NagiosDecoder.decode(AlertInput(flags: flags)).alerts.first)
        #expect(alert.kind == .recovery)
        #expect(alert.service == nil)
        #expect(alert.dedupKey == "nagios:db01:RECOVERY:UP")
    }

    @Test func flagsWinOverTheEnvironmentButItsRecipientsAreKept() throws {
        var environment = Self.service
        environment["NAGIOS_CONTACTPAGER"] = "+33612345678"
        let flags = AlertInput.Flags(notificationType: "PROBLEM", host: "db01", hostState: "DOWN")
        let notification = try NagiosDecoder.decode(AlertInput(flags: flags, environment: environment))
        let alert = try #require(notification.alerts.first)
        #expect(alert.host == "db01")
        #expect(alert.service == nil)
        #expect(alert.output == nil)
        #expect(alert.dedupKey == "nagios:db01:PROBLEM:DOWN")
        #expect(notification.recipients == ["+33612345678"])
    }

    @Test func blankAndUnexpandedFlagsAreAbsent() throws {
        let flags = AlertInput.Flags(
            notificationType: "PROBLEM", host: "web01", hostState: "$HOSTSTATE$",
            service: "  ", serviceState: "CRITICAL", output: "$SERVICEOUTPUT$"
        )
        let alert = try #require(try NagiosDecoder.decode(AlertInput(flags: flags)).alerts.first)
        #expect(alert == Alert(source: .nagios, notificationType: "PROBLEM", host: "web01", dedupKey: "nagios:web01:PROBLEM:-"))
    }

    // MARK: - Errors

    @Test(arguments: [[:], ["PATH": "/usr/bin", "HOME": "/var/lib/nagios"], ["NAGIOS_HOSTNAME": "", "NAGIOS_SERVICEDESC": "$SERVICEDESC$"]])
    func nothingToReadIsNoInput(_ environment: [String: String]) {
        let error = #expect(throws: DecodeError.self) { try NagiosDecoder.decode(AlertInput(environment: environment)) }
        #expect(error == .noInput)
    }

    @Test func macrosWithoutHostServiceOrOutputAreEmpty() {
        let environment = ["NAGIOS_NOTIFICATIONTYPE": "PROBLEM", "NAGIOS_CONTACTPAGER": "+33612345678", "NAGIOS_HOSTSTATE": "DOWN"]
        guard let reason = EnvironmentDecoder.nagios.emptyReason(AlertInput(environment: environment)) else { return }
        #expect(reason.contains("NAGIOS_HOSTNAME"))
        #expect(reason.contains("NAGIOS_SERVICEDESC"))
        #expect(reason.contains("NAGIOS_SERVICEOUTPUT"))
    }

    @Test func flagsWithoutHostServiceOrOutputAreEmpty() {
        let flags = AlertInput.Flags(notificationType: "PROBLEM", host: " ", serviceState: "CRITICAL", output: "$SERVICEOUTPUT$")
        guard let reason = EnvironmentDecoder.nagios.emptyReason(AlertInput(flags: flags)) else { return }
        #expect(reason.contains("--host"))
    }

    // MARK: - Robustness

    static let macroNames = [
        "NAGIOS_NOTIFICATIONTYPE", "NAGIOS_HOSTNAME", "NAGIOS_HOSTALIAS", "NAGIOS_HOSTADDRESS", "NAGIOS_HOSTSTATE",
        "NAGIOS_HOSTOUTPUT", "NAGIOS_LONGHOSTOUTPUT", "NAGIOS_SERVICEDESC", "NAGIOS_SERVICEDISPLAYNAME",
        "NAGIOS_SERVICESTATE", "NAGIOS_SERVICEOUTPUT", "NAGIOS_LONGSERVICEOUTPUT", "NAGIOS_LONGDATETIME",
        "NAGIOS_NOTIFICATIONAUTHOR", "NAGIOS_NOTIFICATIONAUTHORNAME", "NAGIOS_NOTIFICATIONCOMMENT",
        "NAGIOS_SERVICEACKAUTHOR", "NAGIOS_SERVICEACKCOMMENT", "NAGIOS_HOSTACKAUTHOR", "NAGIOS_HOSTACKCOMMENT",
        "NAGIOS_SERVICEPROBLEMID", "NAGIOS_LASTSERVICEPROBLEMID", "NAGIOS_HOSTPROBLEMID", "NAGIOS_LASTHOSTPROBLEMID",
        "NAGIOS_CONTACTPAGER", "NAGIOS_CONTACTADDRESS0", "NAGIOS_CONTACTADDRESS3", "NAGIOS_CONTACTADDRESS5",
        "NAGIOS__HOSTSEVERITY", "NAGIOS__SERVICESEVERITY", "NAGIOS__CONTACTX", "NAGIOS__HOST", "NAGIOS__SERVICE",
        "NAGIOS_CONTACTNAME", "NAGIOS_SERVICEATTEMPT", "NAGIOS_TIMET", "NAGIOS_", "NAGIOS__", "PATH",
    ]

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func randomEnvironmentsNeverCrash(_ seed: UInt64) {
        EnvironmentDecoder.nagios.checkRandomEnvironments(seed: seed, names: Self.macroNames)
    }
}
