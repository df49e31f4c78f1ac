import AlertModel
import Testing

@Suite struct NagiosDecoderTests {
    /// One fixture and the alert it must decode to.
    struct Case: Sendable, CustomTestStringConvertible {
        let fixture: String
        let kind: NotificationKind
        let alert: Alert
        var testDescription: String { fixture }
    }

    static let httpCritical = "HTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 532 bytes in 0.012 second response time"
    static let httpOK = "HTTP OK: HTTP/1.1 200 OK - 10312 bytes in 0.021 second response time"
    static let httpSlow = "HTTP WARNING: HTTP/1.1 200 OK - 10312 bytes in 4.512 second response time"
    static let pager = "+33612345678"

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
            startsAt: "Tue May 14 10:32:11 CEST 2024", dedupKey: key, recipients: [pager]
        )
    }

    static let downtimeAuthor = "Nagios Admin"
    static let downtimeComment = "Kernel upgrade and reboot (CHG-2291)"

    static let cases: [Case] = [
        Case(fixture: "nagios/service-problem.env", kind: .problem, alert: web01HTTP(
            "PROBLEM", "CRITICAL", httpCritical, key: "nagios:web01/HTTP:PROBLEM:18342:CRITICAL")),
        Case(fixture: "nagios/service-recovery.env", kind: .recovery, alert: web01HTTP(
            "RECOVERY", "OK", httpOK, key: "nagios:web01/HTTP:RECOVERY:18342:OK")),
        Case(fixture: "nagios/service-acknowledgement.env", kind: .acknowledgement, alert: web01HTTP(
            "ACKNOWLEDGEMENT", "CRITICAL", httpCritical, key: "nagios:web01/HTTP:ACKNOWLEDGEMENT:18342:CRITICAL:by:b9487c24037d8b36",
            author: "Jane Doe", comment: "Looking into it - backend pool drained after deploy")),
        Case(fixture: "nagios/service-flappingstart.env", kind: .flappingStart, alert: web01HTTP(
            "FLAPPINGSTART", "WARNING", httpSlow, key: "nagios:web01/HTTP:FLAPPINGSTART:18350:WARNING")),
        Case(fixture: "nagios/service-flappingstop.env", kind: .flappingStop, alert: web01HTTP(
            "FLAPPINGSTOP", "OK", httpOK, key: "nagios:web01/HTTP:FLAPPINGSTOP:18350:OK")),
        Case(fixture: "nagios/service-flappingdisabled.env", kind: .flappingDisabled, alert: web01HTTP(
            "FLAPPINGDISABLED", "WARNING", httpSlow, key: "nagios:web01/HTTP:FLAPPINGDISABLED:18350:WARNING")),
        Case(fixture: "nagios/service-downtimestart.env", kind: .downtimeStart, alert: web01HTTP(
            "DOWNTIMESTART", "OK", httpOK, key: "nagios:web01/HTTP:DOWNTIMESTART:18342:OK",
            author: downtimeAuthor, comment: downtimeComment)),
        Case(fixture: "nagios/service-downtimeend.env", kind: .downtimeEnd, alert: web01HTTP(
            "DOWNTIMEEND", "OK", httpOK, key: "nagios:web01/HTTP:DOWNTIMEEND:18342:OK",
            author: downtimeAuthor, comment: downtimeComment)),
        Case(fixture: "nagios/service-downtimecancelled.env", kind: .downtimeCancelled, alert: web01HTTP(
            "DOWNTIMECANCELLED", "OK", httpOK, key: "nagios:web01/HTTP:DOWNTIMECANCELLED:18342:OK",
            author: downtimeAuthor, comment: downtimeComment)),
        Case(fixture: "nagios/service-custom.env", kind: .custom, alert: web01HTTP(
            "CUSTOM", "CRITICAL", httpCritical, key: "nagios:web01/HTTP:CUSTOM:18342:CRITICAL:by:882fe88af0219a2c",
            author: "Nagios Admin", comment: "Is anyone on this? Customers are calling.")),
        Case(fixture: "nagios/host-problem.env", kind: .problem, alert: Alert(
            source: .nagios, notificationType: "PROBLEM",
            host: "db01", hostDisplayName: "PostgreSQL primary", hostAddress: "192.0.2.20", hostState: "DOWN",
            output: "CRITICAL - 192.0.2.20: rta nan, lost 100%",
            startsAt: "Tue May 14 10:32:11 CEST 2024", dedupKey: "nagios:db01:PROBLEM:9120:DOWN", recipients: [pager])),
        Case(fixture: "nagios/host-recovery.env", kind: .recovery, alert: Alert(
            source: .nagios, notificationType: "RECOVERY",
            host: "db01", hostDisplayName: "PostgreSQL primary", hostAddress: "192.0.2.20", hostState: "UP",
            output: "OK - 192.0.2.20: rta 0.412ms, lost 0%",
            startsAt: "Tue May 14 10:32:11 CEST 2024", dedupKey: "nagios:db01:RECOVERY:9120:UP", recipients: [pager])),
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
            recipients: [pager, "+33698765432", "+33711223344"])),
        Case(fixture: "nagios/host-problem-unexpanded.env", kind: .problem, alert: Alert(
            source: .nagios, notificationType: "PROBLEM",
            host: "db01", hostAddress: "192.0.2.20", hostState: "DOWN",
            output: "CRITICAL - 192.0.2.20: rta nan, lost 100%",
            dedupKey: "nagios:db01:PROBLEM:9120:DOWN")),
    ]

    // MARK: - Fixtures

    @Test(arguments: cases)
    func fixtureDecodesToTheExpectedAlert(_ testCase: Case) throws {
        let environment = try Fixture.environment(testCase.fixture)
        #expect(NagiosDecoder.hasEnvironmentMacros(environment))
        #expect(!IcingaDecoder.hasEnvironment(environment))

        let notification = try NagiosDecoder.decode(AlertInput(environment: environment))
        #expect(notification.source == .nagios)
        #expect(notification.alerts.count == 1)
        let alert = try #require(notification.alerts.first)
        #expect(alert == testCase.alert)
        #expect(alert.kind == testCase.kind)
        #expect(notification.status == testCase.alert.notificationType)
        #expect(notification.dedupKey == testCase.alert.dedupKey)
        #expect(notification.recipients == testCase.alert.recipients)
    }

    @Test func everyFixtureHasACase() throws {
        #expect(try Fixture.names(in: "nagios") == Self.cases.map(\.fixture).sorted())
    }

    @Test func everyFixtureHasItsOwnDedupKey() throws {
        var keys: [String] = []
        for testCase in Self.cases where testCase.fixture != "nagios/host-problem-unexpanded.env" {
            let notification = try NagiosDecoder.decode(AlertInput(environment: try Fixture.environment(testCase.fixture)))
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
        let error = #expect(throws: DecodeError.self) {
            try NagiosDecoder.decode(AlertInput(environment: [
                "NAGIOS_NOTIFICATIONTYPE": "PROBLEM", "NAGIOS_CONTACTPAGER": "+33612345678", "NAGIOS_HOSTSTATE": "DOWN",
            ]))
        }
        guard case .empty(let format, let reason)? = error else {
            Issue.record("expected .empty, got \(String(describing: error))")
            return
        }
        #expect(format == .nagios)
        #expect(reason.contains("NAGIOS_HOSTNAME"))
        #expect(reason.contains("NAGIOS_SERVICEDESC"))
        #expect(reason.contains("NAGIOS_SERVICEOUTPUT"))
    }

    @Test func flagsWithoutHostServiceOrOutputAreEmpty() {
        let flags = AlertInput.Flags(notificationType: "PROBLEM", host: " ", serviceState: "CRITICAL", output: "$SERVICEOUTPUT$")
        let error = #expect(throws: DecodeError.self) { try NagiosDecoder.decode(AlertInput(flags: flags)) }
        guard case .empty(let format, let reason)? = error else {
            Issue.record("expected .empty, got \(String(describing: error))")
            return
        }
        #expect(format == .nagios)
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
        var random = RandomEnvironment(seed: seed)
        for _ in 0..<1_000 {
            let input: AlertInput
            if random.chance(1, in: 5) {
                input = AlertInput(flags: random.flags(), environment: random.environment(names: Self.macroNames))
            } else {
                input = AlertInput(environment: random.environment(names: Self.macroNames))
            }
            _ = NagiosDecoder.hasEnvironmentMacros(input.environment)
            do {
                let notification = try NagiosDecoder.decode(input)
                RandomEnvironment.checkInvariants(notification, source: .nagios)
            } catch {
                if case .malformed = error { Issue.record("unexpected \(error)") }
                if case .ambiguous = error { Issue.record("unexpected \(error)") }
            }
        }
    }
}

/// Seeded random environments and flags (SplitMix64), for the decoders' robustness tests.
struct RandomEnvironment {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }

    static let pieces = [
        "", " ", "\t", "\n", "\r\n", "\u{2028}", "\u{85}", "$", "$$", "$X$", "$HOSTNAME$", "0", "00", "12345",
        "\\", "\\n", "\\\\", "\\\\n", "n", "PROBLEM", "RECOVERY", "ACKNOWLEDGEMENT", "FLAPPINGEND", "OK", "CRITICAL",
        "web01", "HTTP", "/", ":", "~", "é", "e\u{301}", "\u{301}", "👩‍👩‍👧", "🇫🇷", "\u{200D}", "\u{FEFF}",
        "\u{0}", "\u{7}", "\u{FFFD}", "ǅ", "ß", "İ", "日本語", "\u{10FFFF}", "\u{E000}", "+33612345678",
    ]

    mutating func scalar() -> Character {
        let ranges: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x300...0x36F, 0x800...0xD7FF, 0xE000...0xFFFF, 0x1_0000...0x10_FFFF]
        let range = ranges[below(ranges.count)]
        let value = range.lowerBound + UInt32(next() % UInt64(range.upperBound - range.lowerBound + 1))
        return Character(Unicode.Scalar(value) ?? "?")
    }

    mutating func string() -> String {
        if chance(1, in: 200) {
            let piece = Self.pieces[below(Self.pieces.count)]
            return String(repeating: piece.isEmpty ? "x" : piece, count: 20_000 + below(20_000))
        }
        var text = ""
        for _ in 0..<below(8) {
            if chance(1, in: 3) {
                text.append(scalar())
            } else {
                text += Self.pieces[below(Self.pieces.count)]
            }
        }
        return text
    }

    mutating func optional() -> String? { chance(1, in: 3) ? nil : string() }

    mutating func environment(names: [String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in names where chance(2, in: 3) {
            environment[name] = string()
        }
        if chance(1, in: 4) {
            environment[names[below(names.count)] + string()] = string()
        }
        return environment
    }

    mutating func flags() -> AlertInput.Flags {
        AlertInput.Flags(
            notificationType: optional(), host: optional(), hostState: optional(),
            service: optional(), serviceState: optional(), output: optional()
        )
    }

    /// What every decoded notification must hold, whatever the input.
    static func checkInvariants(_ notification: Notification, source: Alert.Source) {
        #expect(notification.source == source)
        #expect(notification.alerts.count == 1)
        guard let alert = notification.alerts.first else { return }
        #expect(alert.hasContent)
        #expect(notification.dedupKey == alert.dedupKey)
        let key = alert.dedupKey ?? ""
        // Byte-wise: a host starting with a combining mark joins the `:` into one Character.
        #expect(key.utf8.starts(with: "\(source.rawValue):".utf8))
        #expect(key.utf8.count <= 256)
        #expect(Set(notification.recipients).count == notification.recipients.count)
        let texts = [alert.notificationType, alert.host, alert.hostDisplayName, alert.hostAddress, alert.hostState,
                     alert.service, alert.serviceDisplayName, alert.serviceState, alert.output, alert.longOutput,
                     alert.author, alert.comment, alert.severity, alert.startsAt]
        #expect(!texts.contains(""))
        #expect(!notification.recipients.contains(""))
        #expect(alert.output.map { !$0.contains(where: \.isNewline) } ?? true)
    }
}
