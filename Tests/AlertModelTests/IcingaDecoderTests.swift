import AlertModel
import TestSupport
import Testing

@Suite struct IcingaDecoderTests {
    typealias Case = EnvironmentCase

    /// A notification about web01.example.com's http service, as the `service-*` fixtures describe it.
    static func web01HTTP(
        _ type: String, _ state: String, _ output: String, longOutput: String? = nil,
        author: String? = nil, comment: String? = nil
    ) -> Alert {
        Alert(
            source: .icinga, notificationType: type,
            host: "web01.example.com", hostDisplayName: "web01", hostAddress: "192.0.2.10",
            service: "http", serviceDisplayName: "HTTP", serviceState: state,
            output: output, longOutput: longOutput, author: author, comment: comment,
            startsAt: "2024-05-14 10:32:11 +0200",
            // An acknowledgement's or a custom notification's key ends with the hash of its
            // author and comment (recorded values: a change of hash shows up here).
            dedupKey: "icinga:web01.example.com/http:\(type):\(state)"
                + (["ACKNOWLEDGEMENT", "CUSTOM"].contains(type)
                    ? author.map { ":by:" + ["jdoe": "a256e40c65833cd0", "icingaadmin": "62e86d8725b20680"][$0, default: "?"] } ?? ""
                    : ""),
            recipients: [Case.pager]
        )
    }

    static let cases: [Case] = [
        Case(fixture: "icinga/service-problem.env", kind: .problem, alert: web01HTTP(
            "PROBLEM", "CRITICAL", Case.httpCritical, longOutput: "backend pool: 0/4 healthy\nlast deploy: 10:28 (v2.14.1)")),
        Case(fixture: "icinga/service-recovery.env", kind: .recovery, alert: web01HTTP("RECOVERY", "OK", Case.httpOK)),
        Case(fixture: "icinga/service-acknowledgement.env", kind: .acknowledgement, alert: web01HTTP(
            "ACKNOWLEDGEMENT", "CRITICAL", Case.httpCritical,
            author: "jdoe", comment: "Looking into it - backend pool drained after deploy")),
        Case(fixture: "icinga/service-flappingstart.env", kind: .flappingStart, alert: web01HTTP("FLAPPINGSTART", "WARNING", Case.httpSlow)),
        Case(fixture: "icinga/service-flappingend.env", kind: .flappingStop, alert: web01HTTP("FLAPPINGEND", "OK", Case.httpOK)),
        Case(fixture: "icinga/service-downtimestart.env", kind: .downtimeStart, alert: web01HTTP(
            "DOWNTIMESTART", "OK", Case.httpOK, author: "icingaadmin", comment: "Kernel upgrade and reboot (CHG-2291)")),
        Case(fixture: "icinga/service-custom.env", kind: .custom, alert: web01HTTP(
            "CUSTOM", "CRITICAL", Case.httpCritical, author: "icingaadmin", comment: "Is anyone on this? Customers are calling.")),
        Case(fixture: "icinga/host-problem.env", kind: .problem, alert: Alert(
            source: .icinga, notificationType: "PROBLEM",
            host: "db01.example.com", hostDisplayName: "db01 (PostgreSQL primary)", hostAddress: "192.0.2.20", hostState: "DOWN",
            output: "CRITICAL - Host Unreachable (192.0.2.20)",
            startsAt: "2024-05-14 10:32:11 +0200", dedupKey: "icinga:db01.example.com:PROBLEM:DOWN", recipients: [Case.pager])),
        Case(fixture: "icinga/service-problem-old-names.env", kind: .problem, alert: Alert(
            source: .icinga, notificationType: "PROBLEM",
            host: "app01", hostAddress: "192.0.2.30",
            service: "disk", serviceDisplayName: "Disk /var", serviceState: "WARNING",
            output: "DISK WARNING - free space: /var 2310 MB (12% inode=95%);",
            startsAt: "2024-05-14 11:02:45 +0200", dedupKey: "icinga:app01/disk:PROBLEM:WARNING", recipients: [Case.pager])),
    ]

    // MARK: - Fixtures

    @Test(arguments: cases)
    func fixtureDecodesToTheExpectedAlert(_ testCase: Case) throws {
        try EnvironmentDecoder.icinga.checkFixture(testCase)
    }

    @Test func everyFixtureHasACase() throws {
        #expect(try FixtureDirectory.decoders.names(in: "icinga") == Self.cases.map(\.fixture).sorted())
    }

    // MARK: - Environment details

    static let service: [String: String] = [
        "NOTIFICATIONTYPE": "PROBLEM",
        "HOSTNAME": "web01.example.com",
        "HOSTDISPLAYNAME": "web01",
        "SERVICENAME": "http",
        "SERVICEDISPLAYNAME": "HTTP",
        "SERVICESTATE": "CRITICAL",
        "SERVICEOUTPUT": "HTTP CRITICAL: 503",
    ]

    static func decode(_ environment: [String: String]) throws -> Alert {
        try #require(try IcingaDecoder.decode(AlertInput(environment: environment)).alerts.first)
    }

    @Test func newNamesWinOverOldOnes() throws {
        var environment = Self.service
        environment["SERVICEDESC"] = "old-http"
        environment["HOSTALIAS"] = "old alias"
        let alert = try Self.decode(environment)
        #expect(alert.service == "http")
        #expect(alert.host == "web01.example.com")
        #expect(alert.hostDisplayName == "web01")
    }

    @Test func hostAliasIsTheDisplayNameWhenThereIsNoNewOne() throws {
        var environment = Self.service
        environment["HOSTDISPLAYNAME"] = nil
        environment["HOSTALIAS"] = "Web server 01"
        #expect(try Self.decode(environment).hostDisplayName == "Web server 01")
    }

    @Test func displayNamesEqualToTheNamesAreLeftOut() throws {
        var environment = Self.service
        environment["HOSTDISPLAYNAME"] = "web01.example.com"
        environment["SERVICEDISPLAYNAME"] = "http"
        let alert = try Self.decode(environment)
        #expect(alert.hostDisplayName == nil)
        #expect(alert.serviceDisplayName == nil)
    }

    @Test func outputIsNotUnescaped() throws {
        var environment = Self.service
        environment["SERVICEOUTPUT"] = #"HTTP CRITICAL: C:\new\path"# + "\nsecond line"
        let alert = try Self.decode(environment)
        #expect(alert.output == #"HTTP CRITICAL: C:\new\path"#)
        #expect(alert.longOutput == "second line")
    }

    @Test func aHostNotificationIgnoresTheServiceState() throws {
        let alert = try Self.decode([
            "NOTIFICATIONTYPE": "RECOVERY", "HOSTNAME": "db01", "HOSTSTATE": "UP", "HOSTOUTPUT": "PING OK",
            "SERVICENAME": "$service.name$", "SERVICESTATE": "CRITICAL", "SERVICEDISPLAYNAME": "ping",
        ])
        #expect(alert.service == nil)
        #expect(alert.serviceState == nil)
        #expect(alert.serviceDisplayName == nil)
        #expect(alert.dedupKey == "icinga:db01:RECOVERY:UP")
    }

    @Test(arguments: ["", "  ", "$user.pager$", "$USERPAGER$"])
    func blankAndUnexpandedValuesAreAbsent(_ value: String) throws {
        var environment = Self.service
        for name in ["HOSTDISPLAYNAME", "HOSTADDRESS", "SERVICEDISPLAYNAME", "LONGDATETIME",
                     "NOTIFICATIONAUTHORNAME", "NOTIFICATIONCOMMENT", "USERPAGER", "HOSTSTATE"] {
            environment[name] = value
        }
        let notification = try IcingaDecoder.decode(AlertInput(environment: environment))
        #expect(notification.alerts == [Alert(
            source: .icinga, notificationType: "PROBLEM", host: "web01.example.com",
            service: "http", serviceState: "CRITICAL", output: "HTTP CRITICAL: 503",
            dedupKey: "icinga:web01.example.com/http:PROBLEM:CRITICAL"
        )])
        #expect(notification.recipients.isEmpty)
    }

    @Test func typeAndStateAreUpperCasedInTheKeyOnly() throws {
        var environment = Self.service
        environment["NOTIFICATIONTYPE"] = "Problem"
        environment["SERVICESTATE"] = "critical"
        let alert = try Self.decode(environment)
        #expect(alert.notificationType == "Problem")
        #expect(alert.serviceState == "critical")
        #expect(alert.dedupKey == "icinga:web01.example.com/http:PROBLEM:CRITICAL")
    }

    // MARK: - Detection

    @Test func theEnvironmentIsDetectedByTypeAndHost() {
        #expect(IcingaDecoder.hasEnvironment(["NOTIFICATIONTYPE": "PROBLEM", "HOSTNAME": "web01"]))
        #expect(IcingaDecoder.hasEnvironment(["NOTIFICATIONTYPE": "PROBLEM", "HOSTALIAS": "web01"]))
        #expect(IcingaDecoder.hasEnvironment(["NOTIFICATIONTYPE": "PROBLEM", "HOSTDISPLAYNAME": "web01"]))
        #expect(!IcingaDecoder.hasEnvironment(["NOTIFICATIONTYPE": "PROBLEM"]))
        #expect(!IcingaDecoder.hasEnvironment(["HOSTNAME": "3f2a9c1b7d0e"]))
        #expect(!IcingaDecoder.hasEnvironment(["NOTIFICATIONTYPE": "$notification.type$", "HOSTNAME": "web01"]))
        #expect(!IcingaDecoder.hasEnvironment(["NAGIOS_NOTIFICATIONTYPE": "PROBLEM", "NAGIOS_HOSTNAME": "web01"]))
        #expect(!IcingaDecoder.hasEnvironment([:]))
    }

    // MARK: - Flags

    @Test func flagsMakeTheAlert() throws {
        let flags = AlertInput.Flags(
            notificationType: "FLAPPINGEND", host: "web01.example.com", service: "http",
            serviceState: "OK", output: "HTTP OK\nall backends healthy"
        )
        let notification = try IcingaDecoder.decode(AlertInput(flags: flags, environment: ["USERPAGER": "+33612345678"]))
        #expect(notification.alerts == [Alert(
            source: .icinga, notificationType: "FLAPPINGEND", host: "web01.example.com",
            service: "http", serviceState: "OK", output: "HTTP OK", longOutput: "all backends healthy",
            dedupKey: "icinga:web01.example.com/http:FLAPPINGEND:OK", recipients: ["+33612345678"]
        )])
        #expect(notification.alerts.first?.kind == .flappingStop)
        #expect(notification.recipients == ["+33612345678"])
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let flags = AlertInput.Flags(notificationType: "PROBLEM", host: "db01", hostState: "DOWN")
        let alert = try #require(try IcingaDecoder.decode(AlertInput(flags: flags, environment: Self.service)).alerts.first)
        #expect(alert.host == "db01")
        #expect(alert.service == nil)
        #expect(alert.dedupKey == "icinga:db01:PROBLEM:DOWN")
    }

    // MARK: - Errors

    @Test(arguments: [[:], ["HOSTNAME": "3f2a9c1b7d0e", "PATH": "/usr/bin", "HOME": "/root"], ["NOTIFICATIONTYPE": " ", "SERVICENAME": "$service.name$"]])
    func nothingToReadIsNoInput(_ environment: [String: String]) {
        let error = #expect(throws: DecodeError.self) { try IcingaDecoder.decode(AlertInput(environment: environment)) }
        #expect(error == .noInput)
    }

    @Test func anEnvironmentWithoutHostServiceOrOutputIsEmpty() {
        let environment = ["NOTIFICATIONTYPE": "PROBLEM", "USERPAGER": "+33612345678", "SERVICESTATE": "CRITICAL"]
        guard let reason = EnvironmentDecoder.icinga.emptyReason(AlertInput(environment: environment)) else { return }
        #expect(reason.contains("HOSTNAME"))
        #expect(reason.contains("SERVICENAME"))
    }

    @Test func flagsWithoutHostServiceOrOutputAreEmpty() {
        let flags = AlertInput.Flags(notificationType: "PROBLEM", hostState: "DOWN")
        _ = EnvironmentDecoder.icinga.emptyReason(AlertInput(flags: flags))
    }

    // MARK: - Robustness

    static let names = [
        "NOTIFICATIONTYPE", "HOSTNAME", "HOSTDISPLAYNAME", "HOSTALIAS", "HOSTADDRESS", "HOSTADDRESS6", "HOSTSTATE",
        "HOSTOUTPUT", "SERVICENAME", "SERVICEDESC", "SERVICEDISPLAYNAME", "SERVICESTATE", "SERVICEOUTPUT",
        "LONGDATETIME", "NOTIFICATIONAUTHORNAME", "NOTIFICATIONCOMMENT", "USEREMAIL", "USERPAGER", "PATH",
        "NAGIOS_HOSTNAME",
    ]

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func randomEnvironmentsNeverCrash(_ seed: UInt64) {
        EnvironmentDecoder.icinga.checkRandomEnvironments(seed: seed &* 7_919, names: Self.names)
    }
}
