import AlertModel
import SeededRandom
import TestSupport
import Testing

@Suite struct AlertmanagerDecoderTests {
    private func decode(_ fixture: String) throws -> Notification {
        try AlertmanagerDecoder.decode(FixtureDirectory.decoders.bytes("alertmanager/\(fixture)"))
    }

    private func decode(text: String) throws(DecodeError) -> Notification {
        try AlertmanagerDecoder.decode(Array(text.utf8))
    }

    private func error(_ bytes: [UInt8]) -> DecodeError? {
        do {
            _ = try AlertmanagerDecoder.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Real payloads

    @Test func oneFiringAlert() throws {
        let notification = try decode("firing-single.json")
        #expect(notification.source == .alertmanager)
        #expect(notification.status == "firing")
        #expect(notification.receiver == "sms-oncall")
        #expect(notification.groupKey == #"{}:{alertname="HostDown"}"#)
        #expect(notification.externalURL == "http://alertmanager.example.net:9093")
        #expect(notification.groupLabels == [Label("alertname", "HostDown")])
        #expect(notification.commonLabels.map(\.name) == ["alertname", "env", "instance", "job", "severity"])
        #expect(notification.commonAnnotations.map(\.name) == ["description", "runbook_url", "summary"])
        #expect(notification.truncatedAlerts == 0)
        #expect(notification.recipients.isEmpty)
        #expect((notification.firingCount, notification.resolvedCount, notification.totalCount) == (1, 0, 1))

        let alert = try #require(notification.alerts.first)
        #expect(alert.source == .alertmanager)
        #expect(alert.notificationType == "firing")
        #expect(alert.kind == .problem)
        #expect(alert.service == "HostDown")
        #expect(alert.host == "db1.example.net")
        #expect(alert.severity == "critical")
        #expect(alert.summary == "Host db1.example.net is down")
        #expect(alert.details == "db1.example.net:9100 has not answered the node exporter scrape for 5 minutes.")
        #expect(alert.labels == [
            Label("alertname", "HostDown"), Label("env", "prod"), Label("instance", "db1.example.net:9100"),
            Label("job", "node"), Label("severity", "critical"),
        ])
        #expect(alert.annotations.map(\.name) == ["description", "runbook_url", "summary"])
        #expect(alert.annotation("runbook_url") == "https://runbooks.example.net/HostDown")
        #expect(alert.startsAt == "2025-03-14T08:21:05.123456789Z")
        #expect(alert.endsAt == nil)
        #expect(alert.fingerprint == "5a3c1f0e8b7d2c94")
        #expect(alert.url == "http://prometheus.example.net:9090/graph?g0.expr=up%7Bjob%3D%22node%22%7D+%3D%3D+0&g0.tab=1")
        #expect(alert.dedupKey == "5a3c1f0e8b7d2c94:firing")
        #expect(alert.recipients.isEmpty)
        #expect(alert.hasContent)
        #expect(notification.dedupKey == "alertmanager:" + StableHash.hex("5a3c1f0e8b7d2c94:firing"))
    }

    @Test func oneResolvedAlert() throws {
        let notification = try decode("resolved-single.json")
        #expect(notification.status == "resolved")
        #expect((notification.firingCount, notification.resolvedCount, notification.totalCount) == (0, 1, 1))
        let alert = try #require(notification.alerts.first)
        #expect(alert.kind == .recovery)
        #expect(alert.service == "DiskSpaceLow")
        #expect(alert.host == "web2.example.net")
        #expect(alert.severity == "warning")
        #expect(alert.label("mountpoint") == "/var")
        #expect(alert.endsAt == "2025-03-14T07:47:35.481209331Z")
        #expect(alert.dedupKey == "b21f6d0a93c4e857:resolved")
    }

    @Test func aGroupOfThreeResolved() throws {
        let notification = try decode("resolved-group-highlatency.json")
        #expect(notification.status == "resolved")
        #expect((notification.firingCount, notification.resolvedCount, notification.totalCount) == (0, 3, 3))
        #expect(notification.commonLabels == [
            Label("alertname", "HighLatency"), Label("env", "prod"), Label("job", "api"), Label("severity", "warning"),
        ])
        #expect(notification.commonAnnotations == [Label("summary", "High request latency on api")])
        // Same state and severity: oldest first, whatever the offset and fractional digits.
        #expect(notification.alerts.map(\.host) == ["10.0.3.11", "10.0.3.12", "10.0.3.13"])
        #expect(notification.alerts.allSatisfy { $0.service == "HighLatency" && $0.label("job") == "api" })
    }

    @Test func fiveFiringMostSevereFirst() throws {
        let notification = try decode("firing-mixed-severities.json")
        #expect((notification.firingCount, notification.resolvedCount, notification.totalCount) == (5, 0, 5))
        #expect(notification.alerts.map(\.service) == [
            "HostDown", "HostDown", "NodeFilesystemAlmostFull", "NodeClockSkew", "HostMemoryPressure",
        ])
        #expect(notification.alerts.map(\.host) == [
            "db1.example.net", "db2.example.net", "web1.example.net", "cache1.example.net", "web3.example.net",
        ])
        #expect(notification.alerts.map(\.severity) == ["critical", "critical", "warning", "info", nil])
        #expect(notification.commonLabels == [Label("env", "prod"), Label("job", "node")])
        #expect(notification.groupLabels == [Label("job", "node")])
        #expect(notification.groupKey == #"{}/{env="prod"}:{job="node"}"#)
        let memory = try #require(notification.alerts.last)
        #expect(memory.summary == nil)
        #expect(memory.details == "web3.example.net:9100 is under memory pressure: 1840 major page faults/s.")
    }

    @Test func truncatedAlertsCountInTheTotal() throws {
        let notification = try decode("truncated.json")
        #expect(notification.alerts.count == 3)
        #expect(notification.truncatedAlerts == 7)
        #expect(notification.totalCount == 10)
        #expect(notification.firingCount == 3)
        // The affected object: namespace/pod (the container, already in the pod's name, adds nothing).
        #expect(notification.alerts.map(\.host) == ["2xkqp", "8mzrt", "qw4hn"].map { "billing/billing-worker-7d9f8c6b5-\($0)" })
        #expect(notification.alerts.allSatisfy { $0.service == "KubePodCrashLooping" })
        #expect(notification.groupLabels == [Label("alertname", "KubePodCrashLooping"), Label("namespace", "billing")])
    }

    @Test func unknownFieldsAreIgnored() throws {
        let notification = try decode("extra-fields.json")
        #expect(notification.status == "firing")
        #expect(notification.groupKey == #"{}:{alertname="CertificateExpiry"}"#)
        let alert = try #require(notification.alerts.first)
        #expect(alert.service == "CertificateExpiry")
        #expect(alert.host == "shop.example.net", "a probe's URL, without its scheme")
        #expect(alert.summary == "Certificate expires soon")
        #expect(alert.fingerprint == "92f0a7c3e58d1b64")
        #expect(alert.labels.count == 4)
        #expect(alert.annotations.count == 2)
    }

    @Test func aMinimalPayload() throws {
        let notification = try decode("minimal.json")
        #expect(notification.status == "firing")
        #expect(notification.receiver == nil)
        #expect(notification.groupKey == nil)
        #expect(notification.externalURL == nil)
        #expect(notification.groupLabels.isEmpty)
        #expect(notification.truncatedAlerts == 0)
        // commonLabels computed from the one alert.
        #expect(notification.commonLabels == [Label("alertname", "Watchdog")])
        let alert = try #require(notification.alerts.first)
        // No status of its own: the payload's.
        #expect(alert.notificationType == "firing")
        #expect(alert.kind == .problem)
        #expect(alert.service == "Watchdog")
        #expect(alert.startsAt == nil && alert.endsAt == nil && alert.url == nil && alert.fingerprint == nil)
        // No fingerprint: derived from the labels.
        #expect(alert.dedupKey == StableHash.hex("alertname=Watchdog") + ":firing")
    }

    @Test func nonStringValuesAreSpelledOut() throws {
        let notification = try decode("non-string-labels.json")
        let alert = try #require(notification.alerts.first)
        #expect(alert.labels.map(\.name) == [
            "alertname", "big", "instance", "muted", "negative", "paged", "queue", "ratio", "severity", "shard",
        ])
        #expect(alert.label("shard") == "3")
        #expect(alert.label("ratio") == "0.75")
        #expect(alert.label("big") == "18446744073709551615")
        #expect(alert.label("negative") == "-42")
        #expect(alert.label("paged") == "true")
        #expect(alert.label("muted") == "false")
        #expect(alert.label("owner") == nil)
        #expect(alert.label("tags") == nil)
        #expect(alert.annotation("value") == "12873")
        #expect(alert.annotation("threshold") != nil)
        #expect(alert.host == "mq1.example.net")
        #expect(alert.startsAt == "2025-03-14T12:00:00Z")
        #expect(notification.truncatedAlerts == 0)
        // The payload's commonLabels is empty: computed.
        #expect(notification.commonLabels == alert.labels)
    }

    @Test func aMixedGroupPutsFiringFirst() throws {
        let notification = try decode("mixed-firing-resolved.json")
        #expect(notification.status == "firing")
        #expect(notification.receiver == "sms-db")
        #expect((notification.firingCount, notification.resolvedCount, notification.totalCount) == (2, 2, 4))
        #expect(notification.alerts.map(\.notificationType) == ["firing", "firing", "resolved", "resolved"])
        #expect(notification.alerts.map(\.host) == [
            "pg4.example.net", "pg3.example.net", "pg2.example.net", "pg1.example.net",
        ])
        #expect(notification.alerts.map(\.dedupKey) == [
            "5e0b3d9c81f7a246:firing", "9a4c0e7f3b15d826:firing", "27d5b9e1f0a3c864:resolved", "c8e61f2a047b9d35:resolved",
        ])
        #expect(notification.commonLabels == [Label("cluster", "pg-main"), Label("env", "prod"), Label("job", "postgres")])
    }

    @Test func everyGoodFixtureDecodes() throws {
        let names = try FixtureDirectory.decoders.names(in: "alertmanager").filter { !$0.contains("/malformed-") && !$0.contains("/empty-") }
        #expect(names.count >= 9)
        for name in names {
            let notification = try AlertmanagerDecoder.decode(FixtureDirectory.decoders.bytes(name))
            #expect(!notification.alerts.isEmpty, "\(name)")
            #expect(notification.dedupKey?.hasPrefix("alertmanager:") == true, "\(name)")
            #expect(notification.alerts.allSatisfy { $0.source == .alertmanager && $0.dedupKey != nil }, "\(name)")
        }
    }

    // MARK: - Leniency

    @Test func anyVersionIsAccepted() throws {
        let notification = try decode(text: #"{"version":"5","status":"firing","alerts":[{"labels":{"alertname":"A"}}]}"#)
        #expect(notification.alerts.count == 1)
    }

    @Test func theAlertsStatusWinsOverThePayloads() throws {
        let notification = try decode(text: #"""
        {"status":"firing","alerts":[{"status":"resolved","labels":{"alertname":"A"},"fingerprint":"0123456789abcdef"}]}
        """#)
        #expect(notification.alerts.first?.notificationType == "resolved")
        #expect(notification.alerts.first?.dedupKey == "0123456789abcdef:resolved")
        #expect(notification.status == "firing")
    }

    @Test func withoutAnyStatusTheGroupStatusComesFromTheAlerts() throws {
        let notification = try decode(text: #"{"alerts":[{"labels":{"alertname":"A"}}]}"#)
        #expect(notification.alerts.first?.notificationType == nil)
        #expect(notification.alerts.first?.dedupKey == StableHash.hex("alertname=A") + ":unknown")
        #expect(notification.status == "resolved")
    }

    @Test(arguments: [
        ("0001-01-01T00:00:00Z", nil),
        ("0001-01-01T00:00:00.000Z", nil),
        ("", nil),
        ("2025-03-14T09:31:52.614Z", "2025-03-14T09:31:52.614Z"),
    ] as [(String, String?)])
    func zeroEndsAtIsNil(_ endsAt: String, _ expected: String?) throws {
        let notification = try decode(text: #"{"alerts":[{"labels":{"alertname":"A"},"endsAt":"\#(endsAt)"}]}"#)
        #expect(notification.alerts.first?.endsAt == expected)
    }

    @Test(arguments: [
        ("db1:9100", "db1"),
        ("10.0.0.5:9100", "10.0.0.5"),
        ("[2001:db8::7]:9100", "[2001:db8::7]"),
        ("2001:db8::7", "2001:db8::7"),
        ("https://shop.example.net", "shop.example.net"),
        ("http://shop.example.net:8443/health/", "shop.example.net:8443/health"),
        ("db1:", "db1:"),
        ("db1:http", "db1:http"),
        ("  db1  ", "db1"),
    ])
    func instancePortIsStripped(_ instance: String, _ host: String) throws {
        let notification = try decode(text: #"{"alerts":[{"labels":{"alertname":"A","instance":"\#(instance)"}}]}"#)
        #expect(notification.alerts.first?.host == host)
    }

    /// Found by the fuzzer: searching a run of flag emoji backwards, character by character,
    /// is quadratic (58,000 of them took 10 s; these 300,000 would take minutes).
    @Test(.timeLimit(.minutes(1))) func aHugeInstanceOfFlagsIsReadInLinearTime() throws {
        let flags = String(repeating: "🇫🇷", count: 300_000)
        for (instance, host) in [(flags + ":9100", flags), (flags, flags), ("https://" + flags + "///", flags)] {
            let notification = try decode(text: #"{"alerts":[{"labels":{"alertname":"A","instance":"\#(instance)"}}]}"#)
            #expect(notification.alerts.first?.host == host)
        }
    }

    @Test func hostIsTheNodeThenTheInstanceThenHostThenHostname() throws {
        let labels = [
            (#""host":"h","hostname":"hn","node":"n""#, "n"),
            (#""host":"h","hostname":"hn","instance":"i:9100""#, "i"),
            (#""hostname":"hn","host":"h""#, "h"),
            (#""hostname":"hn""#, "hn"),
            (#""instance":"","node":"n""#, "n"),
        ]
        for (json, host) in labels {
            let notification = try decode(text: #"{"alerts":[{"labels":{"alertname":"A",\#(json)}}]}"#)
            #expect(notification.alerts.first?.host == host)
        }
    }

    @Test func summaryFallsBackToMessageAndTitle() throws {
        let cases = [
            (#"{"summary":"s","message":"m","title":"t"}"#, "s"),
            (#"{"message":"m","title":"t"}"#, "m"),
            (#"{"title":"t"}"#, "t"),
            (#"{"summary":"  ","title":"t"}"#, "t"),
            (#"{"description":"d"}"#, nil),
        ] as [(String, String?)]
        for (annotations, summary) in cases {
            let notification = try decode(text: #"{"alerts":[{"labels":{"alertname":"A"},"annotations":\#(annotations)}]}"#)
            #expect(notification.alerts.first?.summary == summary)
        }
    }

    @Test func wrongTypesInOptionalFieldsAreIgnored() throws {
        let notification = try decode(text: #"""
        {"status":["firing"],"receiver":{},"groupKey":42,"groupLabels":"x","commonLabels":[1],
         "truncatedAlerts":-3,"externalURL":null,
         "alerts":[{"status":true,"labels":{"alertname":"A"},"annotations":"none","startsAt":7,"fingerprint":{}}]}
        """#)
        #expect(notification.status == "resolved")  // `true` is no known status, so nothing fires
        #expect(notification.receiver == nil)
        #expect(notification.groupKey == "42")
        #expect(notification.groupLabels.isEmpty)
        #expect(notification.truncatedAlerts == 0)
        let alert = try #require(notification.alerts.first)
        #expect(alert.notificationType == "true")
        #expect(alert.annotations.isEmpty)
        #expect(alert.startsAt == "7")
        #expect(alert.fingerprint == nil)
    }

    @Test(arguments: [
        (#""truncatedAlerts":7"#, 7),
        (#""truncatedAlerts":"12""#, 12),
        (#""truncatedAlerts":3.0"#, 3),
        (#""truncatedAlerts":1e300"#, Int(Int32.max)),
        (#""truncatedAlerts":-1e300"#, 0),
        (#""truncatedAlerts":99999999999999999999999"#, Int(Int32.max)),
        (#""truncatedAlerts":null"#, 0),
        (#""truncatedAlerts":"lots""#, 0),
    ])
    func truncatedAlertsIsLenientAndBounded(_ field: String, _ expected: Int) throws {
        let notification = try decode(text: #"{\#(field),"alerts":[{"labels":{"alertname":"A"}}]}"#)
        #expect(notification.truncatedAlerts == expected)
        #expect(notification.totalCount == expected + 1)
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let body = [0xEF, 0xBB, 0xBF] + Array(#"{"alerts":[{"labels":{"alertname":"A"}}]}"#.utf8)
        #expect(try AlertmanagerDecoder.decode(body).alerts.count == 1)
    }

    @Test func labelsAreSortedByName() throws {
        let notification = try decode(text: #"{"alerts":[{"labels":{"zone":"z","alertname":"A","job":"j"}}]}"#)
        #expect(notification.alerts.first?.labels.map(\.name) == ["alertname", "job", "zone"])
    }

    // MARK: - Errors

    @Test func notJSON() throws {
        let error = error(try FixtureDirectory.decoders.bytes("alertmanager/malformed-not-json.txt"))
        guard case .malformed(.alertmanager, let reason)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(reason == #"not JSON (it begins with "level=warn ts=2025-03-14…")"#)
    }

    @Test func aCutBodyIsNotJSON() throws {
        let error = error(try FixtureDirectory.decoders.bytes("alertmanager/malformed-truncated-body.json"))
        guard case .malformed(.alertmanager, let reason)? = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(reason == "not JSON (a syntax error, or the body is cut short)")
    }

    @Test func aJSONArrayIsNotAPayload() throws {
        #expect(error(try FixtureDirectory.decoders.bytes("alertmanager/malformed-array.json"))
            == .malformed(format: .alertmanager, reason: "not a JSON object (an array)"))
    }

    @Test func alertsMustBeAnArray() throws {
        #expect(error(try FixtureDirectory.decoders.bytes("alertmanager/malformed-alerts-not-array.json"))
            == .malformed(format: .alertmanager, reason: "`alerts` is not an array"))
    }

    @Test func alertsMustBePresent() throws {
        #expect(error(try FixtureDirectory.decoders.bytes("alertmanager/malformed-no-alerts.json"))
            == .malformed(format: .alertmanager, reason: "no `alerts` array"))
        #expect(error(Array(#"{"alerts":null}"#.utf8)) == .malformed(format: .alertmanager, reason: "no `alerts` array"))
    }

    @Test func noAlertsIsEmpty() throws {
        #expect(error(try FixtureDirectory.decoders.bytes("alertmanager/empty-alerts.json"))
            == .empty(format: .alertmanager, reason: "the payload has no alerts"))
    }

    @Test func alertsMustBeObjects() {
        #expect(error(Array(#"{"alerts":[{"labels":{"alertname":"A"}},"B"]}"#.utf8))
            == .malformed(format: .alertmanager, reason: "alert #2 is not a JSON object"))
        #expect(error(Array(#"{"alerts":[null]}"#.utf8))
            == .malformed(format: .alertmanager, reason: "alert #1 is not a JSON object"))
    }

    @Test func alertsWithNothingToSayAreEmpty() {
        guard case .empty(.alertmanager, _)? = error(Array(#"{"alerts":[{},{"labels":{"job":"x"}}]}"#.utf8)) else {
            Issue.record("expected empty")
            return
        }
    }

    @Test(arguments: ["", "   \n", "42", "\"text\"", "null", "true", "{", "{\"alerts\":[", "\u{FEFF}"])
    func otherBodiesAreMalformed(_ body: String) {
        guard case .malformed(.alertmanager, let reason)? = error(Array(body.utf8)) else {
            Issue.record("expected malformed for \(body.debugDescription)")
            return
        }
        #expect(!reason.isEmpty && !reason.contains("\n") && reason.count <= 100)
    }

    @Test func invalidUTF8IsReplacedNotFatal() throws {
        let body = Array(#"{"alerts":[{"labels":{"alertname":"Disk"#.utf8) + [0xC3, 0x28, 0xFF] + Array(#""}}]}"#.utf8)
        let notification = try AlertmanagerDecoder.decode(body)
        #expect(notification.alerts.first?.service == "Disk\u{FFFD}(\u{FFFD}")
    }

    @Test func deepNestingDoesNotCrash() {
        for depth in [600, 20_000] {
            let arrays = Array(repeating: UInt8(ascii: "["), count: depth)
            #expect(error(arrays) != nil)
            let inLabels = Array(#"{"alerts":[{"labels":{"alertname":"A","x":"#.utf8) + arrays
                + Array(repeating: UInt8(ascii: "]"), count: depth) + Array("}}]}".utf8)
            _ = try? AlertmanagerDecoder.decode(inLabels)
            let objects = Array(String(repeating: #"{"a":"#, count: depth).utf8)
            #expect(error(objects) != nil)
        }
    }

    @Test func hugeNumbersDoNotCrash() throws {
        let notification = try decode(text: #"""
        {"truncatedAlerts":1e999999,"alerts":[{"labels":{"alertname":"A","n":1e999999,"m":-1e999999,
         "k":123456789012345678901234567890123456789012345678901234567890}}]}
        """#)
        #expect(notification.truncatedAlerts == 0 || notification.truncatedAlerts == Int(Int32.max))
        #expect(notification.alerts.first?.service == "A")
    }

    // MARK: - Robustness

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED_1234)
        let alphabet = Array(#"{}[]":,\ 0123456789.eE+-truefalsnalertsabelsstatus"#.utf8)
        var (decoded, refused) = (0, 0)
        for round in 0..<3000 {
            let count = Int(generator.next() % 200)
            let bytes: [UInt8] = (0..<count).map { _ in
                round.isMultiple(of: 2)
                    ? UInt8(truncatingIfNeeded: generator.next())
                    : alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            // No crash, and either a notification with something to say or a typed refusal.
            do {
                let notification = try AlertmanagerDecoder.decode(bytes)
                #expect(!notification.alerts.isEmpty, "\(bytes)")
                decoded += 1
            } catch {
                refused += 1
            }
        }
        #expect(decoded + refused == 3000)
        #expect(refused > 1000, "random bytes are mostly not a webhook: \(refused) refused")
    }

    @Test func mutatedFixturesNeverCrash() throws {
        var generator = SplitMix64(seed: 42)
        let names = try FixtureDirectory.decoders.names(in: "alertmanager")
        let originals = try names.map { try FixtureDirectory.decoders.bytes($0) }
        var decoded = 0
        for round in 0..<3000 {
            var bytes = originals[round % originals.count]
            guard !bytes.isEmpty else { continue }
            for _ in 0...Int(generator.next() % 4) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                default: bytes.removeSubrange(position...)
                }
                if bytes.isEmpty { break }
            }
            if let notification = try? AlertmanagerDecoder.decode(bytes) {
                decoded += 1
                #expect(!notification.alerts.isEmpty)
                #expect(notification.totalCount >= notification.alerts.count)
            }
        }
        #expect(decoded > 0)
    }
}
