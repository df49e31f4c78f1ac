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
