import AlertModel
import Foundation
import NotifyCore
import NotifyState
import TestSupport
import Testing

/// The Alertmanager acknowledger against a real HTTP server on loopback that records what it
/// got (the real Alertmanager: EndToEndTests/AlertmanagerSilenceTests).
@Suite struct AlertmanagerSilencerTests {
    /// 2026-01-01T00:00:00Z.
    static let start = Timestamp(milliseconds: 1_767_225_600_000)
    static let created = ScriptedHTTPServer.Reply(status: 200, body: #"{"silenceID":"3f2a1b4c-9d8e-4f00-a000-000000000001"}"#)
    static let hostDown = [Label("alertname", "HostDown"), Label("instance", "web01")]

    static func silencer(_ server: ScriptedHTTPServer, path: String = "", silence: Duration = .seconds(7200)) -> AlertmanagerSilencer {
        AlertmanagerSilencer(settings: .init(url: server.url + path, silence: silence), now: { start })
    }

    static func ack(_ matchers: [Label], author: String = "alice", comment: String = "ACK on it", close: Bool = false) -> AckRequest {
        AckRequest(target: .alertmanager(matchers: matchers, externalURL: "http://am.example.org"), author: author, comment: comment, close: close)
    }

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        try await OwnThread.run(work)
    }

    @Test("POST /api/v2/silences: the exact body, and the confirmation names the end and the silence")
    func bodyShape() async throws {
        let server = try await ScriptedHTTPServer.start(fallback: Self.created)
        let silencer = Self.silencer(server, path: "/am/")
        let outcome = try await Self.run { silencer.acknowledge(Self.ack(Self.hostDown), timeout: .seconds(5)) }

        let end = Self.start + .seconds(7200)
        #expect(outcome == .acknowledged(detail: "silenced until \(end.localTimeOfDay) (silence 3f2a1b4c)"))
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.uri == "/am/api/v2/silences")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.bodyText == """
            {"comment":"ACK on it","createdBy":"alice","endsAt":"2026-01-01T02:00:00.000Z",\
            "matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"HostDown"},\
            {"isEqual":true,"isRegex":false,"name":"instance","value":"web01"}],\
            "startsAt":"2026-01-01T00:00:00.000Z"}
            """)
    }

    @Test("the silence lasts as configured; a comment without ACK gets it in front")
    func durationAndComment() async throws {
        let server = try await ScriptedHTTPServer.start(fallback: Self.created)
        let silencer = Self.silencer(server, silence: .seconds(1800))
        let created = try await Self.run {
            silencer.createSilence(matching: Self.hostDown, author: "+33600000000", comment: "looking", timeout: .seconds(5))
        }
        #expect(try created.get() == .init(id: "3f2a1b4c-9d8e-4f00-a000-000000000001", endsAt: Self.start + .seconds(1800)))
        let body = try JSONSerialization.jsonObject(with: Data(try #require(server.requests.first).body)) as? [String: Any]
        #expect(body?["endsAt"] as? String == "2026-01-01T00:30:00.000Z")
        #expect(body?["comment"] as? String == "ACK looking")
        #expect(body?["createdBy"] as? String == "+33600000000")
    }

    @Test("odd label values (quotes, backslashes, newlines, controls, Unicode) are sent exactly as they are")
    func oddValues() async throws {
        let server = try await ScriptedHTTPServer.start(fallback: Self.created)
        let silencer = Self.silencer(server)
        let odd = [
            Label("alertname", "Disk \"full\""), Label("path", #"C:\temp\"#), Label("output", "line 1\nline 2\t\u{1}"),
            Label("site", "Café ☕ 東京 👩🏽‍💻"), Label("url", "https://x/y?a=1&b=</script>"),
        ]
        let outcome = try await Self.run {
            silencer.acknowledge(Self.ack(odd, author: "Zoë \"Z\"", comment: "ACK c'est réglé\n!"), timeout: .seconds(5))
        }
        #expect(outcome.isSettled, "\(outcome)")
        let request = try #require(server.requests.first)
        #expect(request.bodyText.contains(#"{"isEqual":true,"isRegex":false,"name":"alertname","value":"Disk \"full\""}"#))
        #expect(request.bodyText.contains(#""value":"C:\\temp\\""#))
        #expect(request.bodyText.contains(#""value":"line 1\nline 2\t\u0001""#))
        #expect(request.bodyText.contains(#""value":"Café ☕ 東京 👩🏽‍💻""#))
        #expect(request.bodyText.contains(#""value":"https://x/y?a=1&b=</script>""#))
        #expect(request.bodyText.contains(#""createdBy":"Zoë \"Z\"""#))

        // And any JSON reader gets the very same values back.
        struct Body: Decodable {
            struct Matcher: Decodable, Equatable { var name, value: String; var isRegex, isEqual: Bool }
            var matchers: [Matcher]
            var createdBy, comment: String
        }
        let body = try JSONDecoder().decode(Body.self, from: Data(request.body))
        #expect(body.matchers == odd.map { Body.Matcher(name: $0.name, value: $0.value, isRegex: false, isEqual: true) })
        #expect(body.createdBy == "Zoë \"Z\"")
        #expect(body.comment == "ACK c'est réglé\n!")
    }

    @Test("never a silence that would match everything: no matchers, a nameless one, only empty values",
          arguments: [[], [Label("", "web01")], [Label("instance", "")], [Label("alertname", ""), Label("job", "")]])
    func refusals(matchers: [Label]) async throws {
        let server = try await ScriptedHTTPServer.start(fallback: Self.created)
        let silencer = Self.silencer(server)
        let outcome = try await Self.run { silencer.acknowledge(Self.ack(matchers), timeout: .seconds(5)) }
        guard case .failed(let reason) = outcome else {
            Issue.record("not refused: \(outcome)")
            return
        }
        #expect(reason.contains("match"), "\(reason)")
        let counted = try await Self.run { silencer.firingAlerts(matching: matchers, timeout: .seconds(5)) }
        #expect(throws: AckFailure.self) { try counted.get() }
        #expect(server.requests.isEmpty, "nothing was sent")
    }

    @Test("groupLabels without alertname are a group's matchers: silenced as they are")
    func groupWithoutAlertname() async throws {
        let server = try await ScriptedHTTPServer.start(fallback: Self.created)
        let outcome = try await Self.run { Self.silencer(server).acknowledge(Self.ack([Label("cluster", "prod")]), timeout: .seconds(5)) }
        #expect(outcome.isSettled)
        #expect(try #require(server.requests.first).bodyText.contains(#""matchers":[{"isEqual":true,"isRegex":false,"name":"cluster","value":"prod"}]"#))
    }

    @Test("CLOSE and other sources' alerts are not Alertmanager's to do; nothing is sent")
    func notSupported() async throws {
        let server = try await ScriptedHTTPServer.start(fallback: Self.created)
        let silencer = Self.silencer(server)
        let close = try await Self.run { silencer.acknowledge(Self.ack(Self.hostDown, close: true), timeout: .seconds(5)) }
        #expect(close == .notSupported(detail: "Alertmanager alerts resolve at their source"))
        let nagios = AckRequest(target: .nagios(host: "web01", service: "HTTP"), author: "alice", comment: "ACK")
        let other = try await Self.run { silencer.acknowledge(nagios, timeout: .seconds(5)) }
        guard case .notSupported = other else {
            Issue.record("\(other)")
            return
        }
        #expect(server.requests.isEmpty)
    }

    @Test("a 400 quotes Alertmanager's words, on one line, escaped, at most 200 characters")
    func refusedByAlertmanager() async throws {
        let server = try await ScriptedHTTPServer.start()
        let silencer = Self.silencer(server)
        server.enqueue(
            .init(status: 400, body: #""silence invalid: invalid label matcher 0: \u001b[31mbad\nname\"\"""#),
            .init(status: 400, body: "\"" + String(repeating: "x", count: 500) + "\""),
            .init(status: 422, body: #"{"code":602,"message":"createdBy in body is required"}"#),
            .init(status: 500, body: "<html>\r\n<b>proxy error</b></html>", contentType: "text/html"),
            .init(status: 200, body: "<html>not Alertmanager</html>", contentType: "text/html"))
        var reasons: [String] = []
        for _ in 0..<5 {
            let outcome = try await Self.run { silencer.acknowledge(Self.ack(Self.hostDown), timeout: .seconds(5)) }
            guard case .failed(let reason) = outcome else {
                Issue.record("\(outcome)")
                return
            }
            reasons.append(reason)
        }
        #expect(reasons[0] == #"Alertmanager refused the silence: silence invalid: invalid label matcher 0: \x1B[31mbad name"""#)
        #expect(reasons[1] == "Alertmanager refused the silence: " + String(repeating: "x", count: 197) + "...")
        #expect(reasons[2] == "Alertmanager answered HTTP 422: createdBy in body is required")
        #expect(reasons[3] == "Alertmanager answered HTTP 500: <html> <b>proxy error</b></html>")
        #expect(reasons[4] == "Alertmanager named no silence in its answer: <html>not Alertmanager</html>")
    }

    @Test("no Alertmanager listening: failed, saying so")
    func transportFailure() async throws {
        let port = try RawConnection.freePort()
        let silencer = AlertmanagerSilencer(settings: .init(url: "http://127.0.0.1:\(port)"), now: { Self.start })
        let outcome = try await Self.run { silencer.acknowledge(Self.ack(Self.hostDown), timeout: .seconds(5)) }
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.hasPrefix("Alertmanager: could not connect"), "\(reason)")
        #expect(reason.count <= 250)
    }

    @Test("firingAlerts: one percent-encoded filter per matcher, every state, counted on the labels too")
    func firingAlertsQuery() async throws {
        let server = try await ScriptedHTTPServer.start()
        server.enqueue(.init(status: 200, body: """
            [{"labels":{"alertname":"HostDown","instance":"web\\"01 é\\\\"},"status":{"state":"suppressed","silencedBy":["x"]}},
             {"labels":{"alertname":"HostDown","instance":"web\\"01 é\\\\","job":"node"},"status":{"state":"active"}},
             {"labels":{"alertname":"HostDown","instance":"web02"},"status":{"state":"active"}}]
            """), .init(status: 200, body: "[]"))
        let silencer = Self.silencer(server)
        let matchers = [Label("alertname", "HostDown"), Label("instance", "web\"01 é\\"), Label("odd-name", "")]
        #expect(try await Self.run { silencer.firingAlerts(matching: matchers, timeout: .seconds(5)) }.get() == 2)
        #expect(try await Self.run { silencer.firingAlerts(matching: matchers, timeout: .seconds(5)) }.get() == 0)
        let request = try #require(server.requests.first)
        #expect(request.method == "GET")
        // `odd-name` cannot be said in the filter syntax: checked on the labels only.
        #expect(request.uri == "/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true"
            + "&filter=alertname%3D%22HostDown%22&filter=instance%3D%22web%5C%2201%20%C3%A9%5C%5C%22")
    }

    @Test("firingAlerts: an error or an unreadable list is a failure")
    func firingAlertsFailures() async throws {
        let server = try await ScriptedHTTPServer.start()
        server.enqueue(.init(status: 400, body: #""bad matcher format: x""#), .init(status: 200, body: "{}"))
        let silencer = Self.silencer(server)
        let first = try await Self.run { silencer.firingAlerts(matching: Self.hostDown, timeout: .seconds(5)) }
        #expect(first == .failure(AckFailure("Alertmanager answered HTTP 400: bad matcher format: x")))
        let second = try await Self.run { silencer.firingAlerts(matching: Self.hostDown, timeout: .seconds(5)) }
        #expect(second == .failure(AckFailure("Alertmanager's alert list is unreadable: {}")))
    }

    @Test("expireSilence: DELETE /api/v2/silence/{id}; an unknown one is said so")
    func expire() async throws {
        let server = try await ScriptedHTTPServer.start()
        server.enqueue(.init(status: 200, body: ""), .init(status: 404, body: ""))
        let silencer = Self.silencer(server)
        let first = try await Self.run { silencer.expireSilence(id: "3f2a1b4c-9d8e", timeout: .seconds(5)) }
        #expect(throws: Never.self) { try first.get() }
        let second = try await Self.run { silencer.expireSilence(id: "a/b", timeout: .seconds(5)) }
        #expect(throws: AckFailure("Alertmanager knows no silence a/b")) { try second.get() }
        #expect(server.requests.map { "\($0.method) \($0.uri)" } == ["DELETE /api/v2/silence/3f2a1b4c-9d8e", "DELETE /api/v2/silence/a%2Fb"])
    }
}
