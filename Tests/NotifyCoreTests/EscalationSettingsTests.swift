import NotifyCore
import SMSText
import Testing

/// The `escalation:` section: policies of steps, routes of Alertmanager receivers to them.
@Suite struct EscalationSettingsTests {
    static let base = "two_way: {}\n"

    @Test func theDocumentedSectionIsRead() throws {
        let yaml = Self.base + """
            escalation:
              policies:
                default: {steps: [{to: ["+33600000000"]}, {after: 10m, to: ["+33600000001"]}], repeat: 0}
                db: {steps: [{after: 0, to: ["+33600000002", "+33600000003"]}, {after: 5m, to: ["+33600000001"]}, {after: 1h, to: ["+33600000004"]}], repeat: 2, repeat_after: 30m}
              routes: {database-team: db}
            """
        let escalation = try Configuration.parse(yaml: yaml, path: "c.yml").escalation
        let number = { (text: String) in try PhoneNumber(parsing: text) }
        let standard = try #require(escalation.policies["default"])
        #expect(standard.steps == [EscalationStep(to: [try number("+33600000000")]),
                                   EscalationStep(after: .seconds(600), to: [try number("+33600000001")])])
        #expect(standard.repeat == 0 && standard.repeatAfter == .seconds(600), "repeat_after defaults to the last step's after")
        let db = try #require(escalation.policies["db"])
        #expect(db.steps.map(\.after) == [.zero, .seconds(300), .seconds(3600)])
        #expect(db.steps[0].to.count == 2 && db.repeat == 2 && db.repeatAfter == .seconds(1800))
        #expect(escalation.routes == ["database-team": "db"])
        #expect(escalation.policy(receiver: "database-team")?.name == "db")
        #expect(escalation.policy(receiver: "other")?.name == "default")
        #expect(escalation.policy(receiver: nil)?.name == "default")
        #expect(escalation.policy(named: "db", receiver: nil)?.name == "db")
        #expect(escalation.policy(named: "nope", receiver: nil) == nil)
    }

    @Test func absentIsOffAndWithoutDefaultOnlyRoutesEscalate() throws {
        #expect(try Configuration.parse(yaml: Self.base, path: "c.yml").escalation == EscalationSettings())
        let routed = try Configuration.parse(yaml: Self.base + "escalation: {policies: {db: {steps: [{to: [\"+33600000000\"]}]}}, routes: {dba: db}}",
                                             path: "c.yml").escalation
        #expect(routed.policy(receiver: "web") == nil)
        #expect(routed.policy(receiver: "dba")?.name == "db")
        #expect(routed.policies["db"]?.repeatAfter == .seconds(600), "one step: repeat_after defaults to 10m")
    }

    @Test func mistakesAreNamed() throws {
        let one = "{to: [\"+33600000000\"]}"
        for (yaml, key) in [
            ("escalation: {policies: {default: {steps: [\(one)]}}}", "two_way"),
            (Self.base + "escalation: {policies: {default: {steps: []}}}", "escalation.policies.default.steps"),
            (Self.base + "escalation: {policies: {default: {}}}", "escalation.policies.default.steps"),
            (Self.base + "escalation: {policies: {default: {steps: [{after: 5m, to: [\"+33600000000\"]}]}}}", "escalation.policies.default.steps[0].after"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one), {after: 10m, to: [\"+33600000001\"]}, {after: 5m, to: [\"+33600000002\"]}]}}}",
             "escalation.policies.default.steps[2].after"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one), {to: [\"+33600000001\"]}]}}}", "escalation.policies.default.steps[1].after"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one), {after: soon, to: [\"+33600000001\"]}]}}}", "escalation.policies.default.steps[1].after"),
            (Self.base + "escalation: {policies: {default: {steps: [{to: [\"not a number\"]}]}}}", "escalation.policies.default.steps[0].to"),
            (Self.base + "escalation: {policies: {default: {steps: [{to: []}]}}}", "escalation.policies.default.steps[0].to"),
            (Self.base + "max_recipients: 1\nescalation: {policies: {default: {steps: [{to: [\"+33600000000\", \"+33600000001\"]}]}}}",
             "escalation.policies.default.steps[0].to"),
            (Self.base + "escalation: {policies: {default: {steps: [\(String(repeating: one + ", ", count: 10))\(one)]}}}", "escalation.policies.default.steps"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one)], repeat: 11}}}", "escalation.policies.default.repeat"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one)], repeat_after: never}}}", "escalation.policies.default.repeat_after"),
            (Self.base + "escalation: {policies: {default: {steps: [{to: [\"+33600000000\"], who: x}]}}}", "escalation.policies.default.steps[0].who"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one)], typo: 1}}}", "escalation.policies.default.typo"),
            (Self.base + "escalation: {policies: {\"bad name\": {steps: [\(one)]}}}", "escalation.policies"),
            (Self.base + "escalation: {policies: {default: {steps: [\(one)]}}, routes: {web: nope}}", "escalation.routes"),
            (Self.base + "escalation: {policy: {}}", "escalation.policy"),
        ] {
            do {
                _ = try Configuration.parse(yaml: yaml, path: "c.yml")
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.description.contains("'\(key)'") || error.description.contains(key), "\(key): \(error.description)")
            }
        }
    }
}
