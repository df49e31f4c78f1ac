import AlertModel
import TestSupport
import Testing

/// The decoders of a monitoring system's notification environment, Nagios 4's (`NAGIOS_*`
/// macros) and Icinga 2's (its notification scripts' names), and the checks their tests share.
enum EnvironmentDecoder: Sendable {
    case nagios
    case icinga

    var source: Alert.Source {
        switch self {
        case .nagios: .nagios
        case .icinga: .icinga
        }
    }

    var format: InputFormat {
        switch self {
        case .nagios: .nagios
        case .icinga: .icinga
        }
    }

    /// The other family.
    var other: EnvironmentDecoder { self == .nagios ? .icinga : .nagios }

    func decode(_ input: AlertInput) throws(DecodeError) -> Notification {
        switch self {
        case .nagios: try NagiosDecoder.decode(input)
        case .icinga: try IcingaDecoder.decode(input)
        }
    }

    /// Whether detection takes `environment` for this family's.
    func detects(_ environment: [String: String]) -> Bool {
        switch self {
        case .nagios: NagiosDecoder.hasEnvironmentMacros(environment)
        case .icinga: IcingaDecoder.hasEnvironment(environment)
        }
    }

    /// The fixture is detected as this family's (not the other's) and decodes to the case's
    /// alert: one alert, its type as the status, its key and recipients as the notification's.
    func checkFixture(_ testCase: EnvironmentCase) throws {
        let environment = try FixtureDirectory.decoders.environment(testCase.fixture)
        #expect(detects(environment))
        #expect(!other.detects(environment))

        let notification = try decode(AlertInput(environment: environment))
        #expect(notification.source == source)
        #expect(notification.alerts.count == 1)
        let alert = try #require(notification.alerts.first)
        #expect(alert == testCase.alert)
        #expect(alert.kind == testCase.kind)
        #expect(notification.status == testCase.alert.notificationType)
        #expect(notification.dedupKey == testCase.alert.dedupKey)
        #expect(notification.recipients == testCase.alert.recipients)
    }

    /// 1,000 random environments made of `names` (one in five with random flags too): no crash,
    /// detection answers, and every input decodes to a notification that holds
    /// ``RandomEnvironment/checkInvariants(_:source:)`` or is refused as `.noInput` or `.empty`.
    func checkRandomEnvironments(seed: UInt64, names: [String]) {
        var random = RandomEnvironment(seed: seed)
        for _ in 0..<1_000 {
            let input: AlertInput
            if random.chance(1, in: 5) {
                input = AlertInput(flags: random.flags(), environment: random.environment(names: names))
            } else {
                input = AlertInput(environment: random.environment(names: names))
            }
            _ = detects(input.environment)
            do {
                let notification = try decode(input)
                RandomEnvironment.checkInvariants(notification, source: source)
            } catch {
                if case .malformed = error { Issue.record("unexpected \(error)") }
                if case .ambiguous = error { Issue.record("unexpected \(error)") }
            }
        }
    }

    /// The reason of the `.empty` error (for this family) that decoding `input` must throw;
    /// nil, and an issue, for any other outcome.
    func emptyReason(_ input: AlertInput, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let error = #expect(throws: DecodeError.self, sourceLocation: sourceLocation) { try decode(input) }
        guard case .empty(let format, let reason)? = error else {
            Issue.record("expected .empty, got \(String(describing: error))", sourceLocation: sourceLocation)
            return nil
        }
        #expect(format == self.format, sourceLocation: sourceLocation)
        return reason
    }
}
