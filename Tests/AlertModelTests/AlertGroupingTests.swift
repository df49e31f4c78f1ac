import AlertModel
import SeededRandom
import TestSupport
import Testing

@Suite struct AlertGroupingTests {
    private func alert(
        _ name: String,
        _ status: String?,
        severity: String? = nil,
        startsAt: String? = nil,
        fingerprint: String? = nil,
        labels extra: [Label] = []
    ) -> Alert {
        var labels = [Label("alertname", name)] + extra
        if let severity { labels.append(Label("severity", severity)) }
        labels.sort { $0.name < $1.name }
        return Alert(
            source: .alertmanager,
            notificationType: status,
            service: name,
            severity: severity,
            labels: labels,
            startsAt: startsAt,
            fingerprint: fingerprint,
            dedupKey: fingerprint.map { "\($0):\(status ?? "unknown")" }
        )
    }

    private func group(
        _ alerts: [Alert],
        status: String? = nil,
        commonLabels: [Label] = [],
        commonAnnotations: [Label] = [],
        truncatedAlerts: Int = 0
    ) -> Notification {
        AlertGrouping.group(
            alerts, status: status, receiver: "r", groupKey: "{}:{}", groupLabels: [],
            commonLabels: commonLabels, commonAnnotations: commonAnnotations,
            externalURL: "http://am:9093", truncatedAlerts: truncatedAlerts
        )
    }

    // MARK: - Ordering

    @Test func firingBeforeResolvedThenSeverity() {
        let alerts = [
            alert("R-crit", "resolved", severity: "critical", fingerprint: "01"),
            alert("F-info", "firing", severity: "info", fingerprint: "02"),
            alert("F-none", "firing", fingerprint: "03"),
            alert("F-crit", "firing", severity: "critical", fingerprint: "04"),
            alert("R-warn", "resolved", severity: "warning", fingerprint: "05"),
            alert("F-err", "firing", severity: "error", fingerprint: "06"),
            alert("F-warn", "firing", severity: "warn", fingerprint: "07"),
        ]
        #expect(group(alerts).alerts.map(\.service) == [
            "F-crit", "F-err", "F-warn", "F-info", "F-none", "R-crit", "R-warn",
        ])
    }

    @Test func unknownStatusSitsBetweenFiringAndResolved() {
        let alerts = [
            alert("resolved", "resolved", severity: "critical", fingerprint: "01"),
            alert("unknown", nil, severity: "critical", fingerprint: "02"),
            alert("firing", "firing", severity: "info", fingerprint: "03"),
        ]
        #expect(group(alerts).alerts.map(\.service) == ["firing", "unknown", "resolved"])
    }

    @Test func olderFirstWhateverTheOffsetAndFraction() {
        let alerts = [
            alert("A", "firing", severity: "critical", startsAt: "2025-03-14T10:00:00Z", fingerprint: "01"),
            alert("A", "firing", severity: "critical", startsAt: "2025-03-14T10:00:00.5Z", fingerprint: "02"),
            alert("A", "firing", severity: "critical", startsAt: "2025-03-14T11:30:00+02:00", fingerprint: "03"),
            alert("A", "firing", severity: "critical", startsAt: "2025-03-14T09:59:59.999999999Z", fingerprint: "04"),
            alert("A", "firing", severity: "critical", startsAt: nil, fingerprint: "05"),
            alert("A", "firing", severity: "critical", startsAt: "yesterday", fingerprint: "06"),
            alert("A", "firing", severity: "critical", startsAt: "2024-12-31T23:59:59-01:00", fingerprint: "07"),
        ]
        // 11:30+02:00 is 09:30Z; 23:59:59-01:00 is 2025-01-01T00:59:59Z; unreadable, then missing, last.
        #expect(group(alerts).alerts.map(\.fingerprint) == ["07", "03", "04", "01", "02", "06", "05"])
    }

    @Test func thenAlertNameThenFingerprint() {
        let alerts = [
            alert("B", "firing", severity: "warning", startsAt: "2025-03-14T10:00:00Z", fingerprint: "aa"),
            alert("A", "firing", severity: "warning", startsAt: "2025-03-14T10:00:00Z", fingerprint: "cc"),
            alert("A", "firing", severity: "warning", startsAt: "2025-03-14T10:00:00Z", fingerprint: "bb"),
            alert("A", "firing", severity: "warning", startsAt: "2025-03-14T10:00:00Z", fingerprint: nil),
        ]
        #expect(group(alerts).alerts.map(\.fingerprint) == ["bb", "cc", nil, "aa"])
    }

    @Test func theOrderDoesNotDependOnTheInputOrder() throws {
        let notification = try AlertmanagerDecoder.decode(FixtureDirectory.decoders.bytes("alertmanager/firing-mixed-severities.json"))
        var generator = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let shuffled = notification.alerts.shuffled(using: &generator)
            let regrouped = group(shuffled, status: "firing", commonLabels: notification.commonLabels)
            #expect(regrouped.alerts == notification.alerts)
            #expect(regrouped.dedupKey == notification.dedupKey)
        }
    }

    // MARK: - Status and counts

    @Test func statusIsThePayloadsElseDerived() {
        let firing = alert("A", "firing", fingerprint: "01")
        let resolved = alert("B", "resolved", fingerprint: "02")
        #expect(group([firing, resolved], status: "resolved").status == "resolved")
        #expect(group([firing, resolved]).status == "firing")
        #expect(group([resolved]).status == "resolved")
        #expect(group([resolved], status: "  ").status == "resolved")
        #expect(group([]).status == "resolved")
    }

    @Test func counts() {
        let notification = group(
            [alert("A", "firing"), alert("B", "resolved"), alert("C", "firing"), alert("D", "weird")],
            truncatedAlerts: 5
        )
        #expect(notification.firingCount == 2)
        #expect(notification.resolvedCount == 1)
        #expect(notification.totalCount == 9)
    }

    @Test func truncatedAlertsIsBounded() {
        #expect(group([alert("A", "firing")], truncatedAlerts: -4).truncatedAlerts == 0)
        #expect(group([alert("A", "firing")], truncatedAlerts: .max).truncatedAlerts == Int(Int32.max))
        #expect(group([alert("A", "firing")], truncatedAlerts: .max).totalCount == Int(Int32.max) + 1)
    }

    @Test func theOtherFieldsAreCarried() {
        let notification = AlertGrouping.group(
            [alert("A", "firing")], status: "firing", receiver: " sms ", groupKey: "{}:{alertname=\"A\"}",
            groupLabels: [Label("alertname", "A")], commonLabels: [Label("alertname", "A")],
            commonAnnotations: [Label("summary", "s")], externalURL: "", truncatedAlerts: 0
        )
        #expect(notification.source == .alertmanager)
        #expect(notification.receiver == "sms")
        #expect(notification.groupKey == "{}:{alertname=\"A\"}")
        #expect(notification.groupLabels == [Label("alertname", "A")])
        #expect(notification.commonAnnotations == [Label("summary", "s")])
        #expect(notification.externalURL == nil)
        #expect(notification.recipients.isEmpty)
    }

    // MARK: - Common labels

    @Test func commonLabelsAreComputedWhenMissing() {
        let alerts = [
            alert("A", "firing", labels: [Label("env", "prod"), Label("job", "api"), Label("instance", "a:1")]),
            alert("A", "firing", labels: [Label("env", "prod"), Label("job", "api"), Label("instance", "b:1")]),
            alert("A", "resolved", labels: [Label("job", "api"), Label("env", "prod"), Label("zone", "z")]),
        ]
        #expect(group(alerts).commonLabels == [Label("alertname", "A"), Label("env", "prod"), Label("job", "api")])
    }

    @Test func commonLabelsNeedTheSameValue() {
        let alerts = [
            alert("A", "firing", labels: [Label("env", "prod")]),
            alert("B", "firing", labels: [Label("env", "staging")]),
        ]
        #expect(group(alerts).commonLabels.isEmpty)
        #expect(group([]).commonLabels.isEmpty)
    }

    @Test func thePayloadsCommonLabelsWin() {
        let alerts = [alert("A", "firing", labels: [Label("env", "prod")])]
        #expect(group(alerts, commonLabels: [Label("env", "prod")]).commonLabels == [Label("env", "prod")])
    }

    @Test func commonAnnotationsAreComputedWhenMissing() {
        var first = alert("A", "firing")
        first.annotations = [Label("runbook", "r"), Label("summary", "one")]
        var second = alert("A", "firing")
        second.annotations = [Label("summary", "two"), Label("runbook", "r")]
        #expect(group([first, second]).commonAnnotations == [Label("runbook", "r")])
    }

    // MARK: - Dedup key

    @Test func sameAlertsSameStatesSameKey() {
        let alerts = [
            alert("A", "firing", fingerprint: "1111111111111111"),
            alert("B", "resolved", fingerprint: "2222222222222222"),
            alert("C", "firing", fingerprint: "3333333333333333"),
        ]
        let key = group(alerts).dedupKey
        #expect(key == "alertmanager:" + StableHash.hex(
            "1111111111111111:firing,2222222222222222:resolved,3333333333333333:firing"))
        #expect(group(alerts.reversed()).dedupKey == key)
        #expect(group([alerts[1], alerts[2], alerts[0]], status: "firing").dedupKey == key)
    }

    @Test func aStatusChangeChangesTheKey() {
        let before = [
            alert("A", "firing", fingerprint: "1111111111111111"),
            alert("B", "firing", fingerprint: "2222222222222222"),
        ]
        var after = before
        after[1] = alert("B", "resolved", fingerprint: "2222222222222222")
        #expect(group(before).dedupKey != group(after).dedupKey)
    }

    @Test func anotherAlertChangesTheKey() {
        let one = [alert("A", "firing", fingerprint: "1111111111111111")]
        let two = one + [alert("B", "firing", fingerprint: "2222222222222222")]
        #expect(group(one).dedupKey != group(two).dedupKey)
    }

    @Test func alertsWithoutKeysGetOneFromTheirLabels() {
        let plain = alert("A", "firing", labels: [Label("env", "prod")])
        #expect(plain.dedupKey == nil)
        let key = group([plain]).dedupKey
        #expect(key == "alertmanager:" + StableHash.hex(StableHash.hex("alertname=A,env=prod") + ":firing"))
        var resolved = plain
        resolved.notificationType = "resolved"
        #expect(group([resolved]).dedupKey != key)
    }

    @Test func theDecodersKeysMatchTheGroupsRule() throws {
        let notification = try AlertmanagerDecoder.decode(FixtureDirectory.decoders.bytes("alertmanager/mixed-firing-resolved.json"))
        let keys = notification.alerts.compactMap(\.dedupKey).sorted().joined(separator: ",")
        #expect(notification.dedupKey == "alertmanager:" + StableHash.hex(keys))
    }

    @Test func resolvingTheGroupChangesTheDecodedKey() throws {
        let text = try FixtureDirectory.decoders.text("alertmanager/firing-single.json")
        let firing = try AlertmanagerDecoder.decode(Array(text.utf8))
        let resolvedText = text.replacing(#""status":"firing""#, with: #""status":"resolved""#)
        let resolved = try AlertmanagerDecoder.decode(Array(resolvedText.utf8))
        #expect(resolved.resolvedCount == 1)
        #expect(firing.dedupKey != resolved.dedupKey)
    }
}
