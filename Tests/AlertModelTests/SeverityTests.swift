import AlertModel
import Testing

@Suite struct SeverityTests {
    @Test(arguments: [
        ("critical", Severity.critical), ("crit", .critical), ("page", .critical), ("emergency", .critical),
        ("emerg", .critical), ("fatal", .critical), ("disaster", .critical), ("p1", .critical),
        ("error", .error), ("err", .error), ("high", .error), ("major", .error), ("p2", .error),
        ("warning", .warning), ("warn", .warning), ("medium", .warning), ("minor", .warning),
        ("average", .warning), ("p3", .warning),
        ("info", .info), ("informational", .info), ("low", .info), ("notice", .info), ("p4", .info),
        ("p5", .info), ("debug", .info),
    ])
    func knownSpellings(_ label: String, _ severity: Severity) {
        #expect(Severity(label) == severity)
    }

    @Test(arguments: ["CRITICAL", "Critical", " critical ", "\tCrIt\n", "P1"])
    func caseAndSurroundingWhitespaceDoNotMatter(_ label: String) {
        #expect(Severity(label) == .critical)
    }

    @Test(arguments: [nil, "", "   ", "none", "severe", "p6", "critical!", "warning-ish"] as [String?])
    func missingOrUnknownIsNone(_ label: String?) {
        #expect(Severity(label) == Severity.none)
    }

    @Test func mostSevereSortsFirst() {
        let shuffled: [Severity] = [.info, .none, .critical, .warning, .error]
        #expect(shuffled.sorted() == [.critical, .error, .warning, .info, .none])
        #expect(Severity.critical < .error)
        #expect(Severity.warning < .none)
        #expect(!(Severity.none < .info))
    }

    @Test func ranksFollowTheOrder() {
        #expect(Severity.allCases.map(\.rank) == [0, 1, 2, 3, 4])
        #expect(Severity.allCases.sorted() == Severity.allCases)
    }
}

/// Which notifications the rate limits let through first, and how a digest names them.
@Suite struct UrgencyTests {
    static func nagios(_ type: String, host: String = "web01", hostState: String? = nil, service: String? = nil,
                       serviceState: String? = nil) -> Notification {
        Notification(single: Alert(source: .nagios, notificationType: type, host: host, hostState: hostState, service: service,
                                   serviceState: serviceState))
    }

    static func alertmanager(_ status: String, severity: String?) -> Alert {
        Alert(source: .alertmanager, notificationType: status, host: "db1", service: "HostDown", severity: severity)
    }

    @Test func aChangeToTheWorstStateIsUrgentAndNothingElseIs() {
        #expect(Self.nagios("PROBLEM", hostState: "DOWN").isUrgent)
        #expect(Self.nagios("PROBLEM", hostState: "UNREACHABLE").isUrgent)
        #expect(Self.nagios("PROBLEM", service: "HTTP", serviceState: "CRITICAL").isUrgent)
        #expect(!Self.nagios("PROBLEM", service: "HTTP", serviceState: "WARNING").isUrgent)
        #expect(!Self.nagios("PROBLEM", service: "HTTP", serviceState: "UNKNOWN").isUrgent)
        #expect(!Self.nagios("RECOVERY", hostState: "UP").isUrgent)
        #expect(!Self.nagios("ACKNOWLEDGEMENT", service: "HTTP", serviceState: "CRITICAL").isUrgent, "an ack of a CRITICAL is not a change to it")
        #expect(Notification(single: Self.alertmanager("firing", severity: "critical")).isUrgent)
        #expect(Notification(single: Self.alertmanager("firing", severity: "page")).isUrgent)
        #expect(!Notification(single: Self.alertmanager("firing", severity: "warning")).isUrgent)
        #expect(!Notification(single: Self.alertmanager("resolved", severity: "critical")).isUrgent)
        let group = Notification(source: .alertmanager, alerts: [Self.alertmanager("firing", severity: "warning"),
                                                                 Self.alertmanager("firing", severity: "critical")], status: "firing")
        #expect(group.isUrgent, "any firing critical alert of a group")
    }

    @Test func aDigestRanksProblemsBySeverityThenOtherTypesThenRecoveries() {
        #expect(Self.nagios("PROBLEM", hostState: "DOWN").digestRank == 0)
        #expect(Self.nagios("PROBLEM", service: "HTTP", serviceState: "UNKNOWN").digestRank == 1)
        #expect(Self.nagios("PROBLEM", service: "HTTP", serviceState: "WARNING").digestRank == 2)
        #expect(Self.nagios("ACKNOWLEDGEMENT", service: "HTTP", serviceState: "CRITICAL").digestRank == 5)
        #expect(Self.nagios("RECOVERY", service: "HTTP", serviceState: "OK").digestRank == 6)
        #expect(Self.nagios("PROBLEM", hostState: "DOWN").digestStatus == "DOWN")
        #expect(Self.nagios("ACKNOWLEDGEMENT", service: "HTTP", serviceState: "CRITICAL").digestStatus == "ACK")
        #expect(Self.nagios("DOWNTIMESTART", hostState: "UP").digestStatus == "DOWNTIME")
        #expect(Notification(single: Self.alertmanager("firing", severity: "critical")).digestStatus == "CRITICAL")
        #expect(Notification(single: Self.alertmanager("firing", severity: nil)).digestStatus == "FIRING")
        #expect(Notification(single: Self.alertmanager("resolved", severity: "critical")).digestStatus == "RESOLVED")
    }
}
