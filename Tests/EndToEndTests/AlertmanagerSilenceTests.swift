import AlertModel
import Foundation
import NotifyCore
import SMSPartner
import TestSupport
import Testing

// The acknowledgement of an Alertmanager alert (issue 21) against the real Alertmanager
// (AlertmanagerProcess: Debian's, on loopback, its own configuration and storage, clustering
// off): the silence it lists, the alert it suppresses, and the recovery tracked while the
// silence lasts. Skipped with SMSPARTNER_SKIP_ALERTMANAGER=1 like the other Alertmanager tests.

@Suite(
    "a real Alertmanager silences an acknowledged alert",
    .disabled(if: AlertmanagerProcess.skipRequested, "SMSPARTNER_SKIP_ALERTMANAGER=1"),
    .timeLimit(.minutes(2)))
struct AlertmanagerSilenceTests {
    /// One entry of `GET /api/v2/silences`.
    struct ListedSilence: Decodable {
        struct Matcher: Decodable, Hashable {
            var name: String
            var value: String
            var isRegex: Bool
            var isEqual: Bool?
        }

        struct Status: Decodable { var state: String }

        var id: String
        var status: Status
        var matchers: [Matcher]
        var createdBy: String
        var comment: String
        var startsAt: String
        var endsAt: String
    }

    /// One entry of `GET /api/v2/alerts`.
    struct ListedAlert: Decodable {
        struct Status: Decodable {
            var state: String
            var silencedBy: [String]
        }

        var labels: [String: String]
        var status: Status
    }

    static func get<T: Decodable>(_ type: T.Type, _ url: String) async throws -> T {
        let response = try await ServeProcess.request(HTTPRequest(method: .get, url: url, headers: ["Accept: application/json"]))
        try #require(response.status == 200, "\(url): \(response.status) \(response.bodyText)")
        return try JSONDecoder().decode(T.self, from: Data(response.body))
    }

    static func firing(_ silencer: AlertmanagerSilencer, _ matchers: [Label]) async throws -> Int? {
        try await OwnThread.run { try? silencer.firingAlerts(matching: matchers, timeout: .seconds(5)).get() }
    }

    @Test("a reply's silence is listed with our matchers and author, suppresses the alert; its recovery is seen while silenced")
    func silenceTrackResolve() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: AlertmanagerProcess.binary),
                     "\(AlertmanagerProcess.binary) not found: apt-get install prometheus-alertmanager (CI installs it), or set SMSPARTNER_SKIP_ALERTMANAGER=1")
        try await LoadGate.shared.with(exclusive: false) {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            // Nobody listens at the webhook: this test looks at Alertmanager's API only.
            let alertmanager = try await AlertmanagerProcess(
                webhook: "http://127.0.0.1:\(try RawConnection.freePort())/alertmanager", passwordFile: try dir.write("password", "unused\n"))
            let odd = "web\"03 é\\ ☕"
            try await alertmanager.post([("HostDown", "web01"), ("HostDown", "web02"), ("HostDown", odd)])

            let silencer = AlertmanagerSilencer(settings: .init(url: alertmanager.url + "/", silence: .seconds(600)))
            let matchers = [Label("alertname", "HostDown"), Label("instance", "web01")]
            #expect(try await Self.firing(silencer, matchers) == 1, "web01 is firing, alone of its labels")
            #expect(try await Self.firing(silencer, [Label("alertname", "HostDown"), Label("instance", odd)]) == 1, "filter escaping")

            // The acknowledgement, timed until the silence is listed.
            let began = ContinuousClock.now
            let request = AckRequest(target: .alertmanager(matchers: matchers, externalURL: alertmanager.url), author: "alice",
                                     comment: "ACK on it")
            let outcome = try await OwnThread.run { silencer.acknowledge(request, timeout: .seconds(5)) }
            guard case .acknowledged(let detail) = outcome else {
                Issue.record("\(outcome)\n\(alertmanager.log)")
                return
            }
            let answered = ContinuousClock.now - began
            #expect(detail.wholeMatch(of: /silenced until \d\d:\d\d \(silence [0-9a-f-]{8}\)/) != nil, "\(detail)")
            let prefix = String(detail.dropLast().suffix(8))
            var listed: ListedSilence?
            while listed == nil && ContinuousClock.now - began < .seconds(10) {
                listed = try await Self.get([ListedSilence].self, alertmanager.url + "/api/v2/silences")
                    .first { $0.id.hasPrefix(prefix) && $0.status.state == "active" }
                if listed == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let latency = ContinuousClock.now - began
            let silence = try #require(listed, "no active silence \(prefix)… listed")
            print("[ack-alertmanager] acknowledge → 200 in \(answered), silence listed as active \(latency) after the call")
            #expect(latency < .seconds(2))
            #expect(Set(silence.matchers) == [.init(name: "alertname", value: "HostDown", isRegex: false, isEqual: true),
                                              .init(name: "instance", value: "web01", isRegex: false, isEqual: true)])
            #expect(silence.createdBy == "alice")
            #expect(silence.comment == "ACK on it")
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let starts = try #require(formatter.date(from: silence.startsAt), "\(silence.startsAt)")
            let ends = try #require(formatter.date(from: silence.endsAt), "\(silence.endsAt)")
            #expect(abs(ends.timeIntervalSince(starts) - 600) < 2, "\(silence.startsAt) → \(silence.endsAt)")

            // The alert is suppressed by our silence; its neighbour is not.
            let alerts = try await Self.get([ListedAlert].self, alertmanager.url + "/api/v2/alerts?silenced=true")
            let web01 = try #require(alerts.first { $0.labels["instance"] == "web01" })
            #expect(web01.status.state == "suppressed")
            #expect(web01.status.silencedBy == [silence.id])
            #expect(alerts.first { $0.labels["instance"] == "web02" }?.status.state == "active")
            #expect(try await Self.firing(silencer, matchers) == 1, "silenced, still firing")

            // It recovers while silenced: Alertmanager sends nothing, firingAlerts says 0.
            try await alertmanager.post([("HostDown", "web01")], resolved: true)
            var count: Int?
            let resolving = ContinuousClock.now
            while count != 0 && ContinuousClock.now - resolving < .seconds(5) {
                count = try await Self.firing(silencer, matchers)
                if count != 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(count == 0, "resolved while silenced")
            #expect(try await Self.firing(silencer, [Label("alertname", "HostDown"), Label("instance", "web02")]) == 1)

            // The silence ends early on request.
            let expired = try await OwnThread.run { silencer.expireSilence(id: silence.id, timeout: .seconds(5)) }
            #expect(throws: Never.self) { try expired.get() }
            let after = try await Self.get([ListedSilence].self, alertmanager.url + "/api/v2/silences").first { $0.id == silence.id }
            #expect(after?.status.state == "expired")
        }
    }

    @Test("odd label values are silenced exactly; a silence with no matchers is never posted")
    func oddValuesAndRefusal() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: AlertmanagerProcess.binary))
        try await LoadGate.shared.with(exclusive: false) {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let alertmanager = try await AlertmanagerProcess(
                webhook: "http://127.0.0.1:\(try RawConnection.freePort())/alertmanager", passwordFile: try dir.write("password", "unused\n"))
            let odd = "db\"7\" \\ é 東京\n2"
            try await alertmanager.post([("DiskFull", odd), ("DiskFull", "db\"7\"")])
            let silencer = AlertmanagerSilencer(settings: .init(url: alertmanager.url))

            let none = try await OwnThread.run {
                silencer.acknowledge(AckRequest(target: .alertmanager(matchers: [], externalURL: nil), author: "alice", comment: "ACK"),
                                     timeout: .seconds(5))
            }
            #expect(!none.isSettled)
            #expect(try await Self.get([ListedSilence].self, alertmanager.url + "/api/v2/silences").isEmpty)

            let matchers = [Label("alertname", "DiskFull"), Label("instance", odd)]
            let outcome = try await OwnThread.run {
                silencer.acknowledge(AckRequest(target: .alertmanager(matchers: matchers, externalURL: nil), author: "Zoë", comment: "ACK"),
                                     timeout: .seconds(5))
            }
            #expect(outcome.isSettled, "\(outcome)\n\(alertmanager.log)")
            let alerts = try await Self.get([ListedAlert].self, alertmanager.url + "/api/v2/alerts")
            #expect(alerts.first { $0.labels["instance"] == odd }?.status.state == "suppressed")
            #expect(alerts.first { $0.labels["instance"] == "db\"7\"" }?.status.state == "active", "only the exact value")
            #expect(try await Self.firing(silencer, matchers) == 1)
        }
    }
}
