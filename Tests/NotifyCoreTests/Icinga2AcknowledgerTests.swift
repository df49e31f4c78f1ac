import Foundation
import NotifyCore
import SMSPartner
import TestSupport
import Testing

/// `Icinga2Acknowledger` against a real HTTP server on 127.0.0.1 (``ScriptedHTTPServer``): the
/// request it sends, byte for byte, and how it reads each of Icinga's answers.
@Suite struct Icinga2AcknowledgerTests {
    static let password = "p4ss:wörd-0123456789"
    static let service = AckRequest(target: .icinga(host: "web-01", service: "http"), author: "alice", comment: "ACK on it")
    static let host = AckRequest(target: .icinga(host: "web-01", service: nil), author: "+33600000000", comment: "ACK")
    /// Icinga's answer to a successful `acknowledge-problem` on `web-01!http`: the fake API's default.
    static let acknowledged = ScriptedHTTPServer.Reply(
        status: 200, body: #"{"results":[{"code":200.0,"status":"Successfully acknowledged problem for object 'web-01!http'."}]}"#)

    /// Runs `body` with a fresh fake API and the password file of an acknowledger pointed at it.
    func withAPI(_ body: (ScriptedHTTPServer, TwoWaySettings.Icinga2) async throws -> Void) async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let passwordFile = try scratch.write("icinga.pass", Self.password + "\n")
        let api = try await ScriptedHTTPServer.start(fallback: Self.acknowledged)
        do {
            try await body(api, TwoWaySettings.Icinga2(url: api.url, user: "notify", passwordFile: passwordFile))
            try await api.shutdown()
        } catch {
            try? await api.shutdown()
            throw error
        }
    }

    /// The blocking call, on a thread of its own.
    func acknowledge(_ request: AckRequest, with settings: TwoWaySettings.Icinga2) async throws -> AckOutcome {
        try await OwnThread.run { Icinga2Acknowledger(settings: settings).acknowledge(request, timeout: .seconds(5)) }
    }

    @Test("a service: POST /v1/actions/acknowledge-problem naming host!service, sticky, notifying, with Basic auth in a header")
    func serviceRequest() async throws {
        try await withAPI { api, settings in
            let outcome = try await acknowledge(Self.service, with: settings)
            #expect(outcome == .acknowledged(detail: "acknowledged in Icinga 2"))
            let requests = api.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.uri == "/v1/actions/acknowledge-problem")
            #expect(request.bodyText == #"{"author":"alice","comment":"ACK on it","notify":true,"service":"web-01!http","sticky":true,"type":"Service"}"#)
            #expect(request.header("Accept") == ["application/json"])
            #expect(request.header("Content-Type") == ["application/json"])
            let credentials = Data("notify:\(Self.password)".utf8).base64EncodedString()
            #expect(request.header("Authorization") == ["Basic \(credentials)"])
            #expect(!request.uri.contains("notify") && !request.bodyText.contains(Self.password))
        }
    }

    @Test("a host: the Host type and its name, nothing else to select it; names and comments are JSON-escaped")
    func hostRequest() async throws {
        try await withAPI { api, settings in
            let outcome = try await acknowledge(Self.host, with: settings)
            #expect(outcome.isSettled)
            let quirky = AckRequest(target: .icinga(host: "db \"1\"", service: "disk /var"), author: "bob", comment: "ACK\nback at 5\\6")
            _ = try await acknowledge(quirky, with: settings)
            let bodies = api.requests.map(\.bodyText)
            try #require(bodies.count == 2)
            #expect(bodies[0] == #"{"author":"+33600000000","comment":"ACK","host":"web-01","notify":true,"sticky":true,"type":"Host"}"#)
            #expect(bodies[1] == #"{"author":"bob","comment":"ACK\nback at 5\\6","notify":true,"service":"db \"1\"!disk /var","sticky":true,"type":"Service"}"#)
        }
    }

    @Test("Icinga's answers: 200 acknowledged; 409 already done in Icinga's words; 401, 403, 404 and others failed")
    func replies() async throws {
        let cases: [(status: Int, body: String, expected: AckOutcome)] = [
            (200, #"{"results":[{"code":200.0,"status":"Successfully acknowledged problem for object 'web-01!http'."}]}"#,
             .acknowledged(detail: "acknowledged in Icinga 2")),
            (409, #"{"results":[{"code":409.0,"status":"Service web-01!http is already acknowledged."}]}"#,
             .alreadyDone(detail: "Service web-01!http is already acknowledged.")),
            (409, #"{"results":[{"code":409,"status":"Service web-01!http is OK."}]}"#, .alreadyDone(detail: "Service web-01!http is OK.")),
            (200, #"{"results":[{"code":409,"status":"Host web-01 is UP."}]}"#, .alreadyDone(detail: "Host web-01 is UP.")),
            (409, "", .alreadyDone(detail: "already acknowledged, or not a problem now")),
            (404, #"{"error":404,"status":"No objects found."}"#, .failed(reason: "no such host/service in Icinga 2")),
            (200, #"{"results":[]}"#, .failed(reason: "no such host/service in Icinga 2")),
            (401, #"{"error":401,"status":"Unauthorized. Please check your user credentials."}"#,
             .failed(reason: "Icinga 2 API refused the user (check two_way.icinga2.user/password_file)")),
            (403, #"{"error":403,"status":"No permission."}"#,
             .failed(reason: "Icinga 2 API user may not acknowledge (permission actions/acknowledge-problem)")),
            (400, #"{"results":[{"code":400,"status":"Acknowledgements require author and comment."}]}"#,
             .failed(reason: "Icinga 2 API answered HTTP 400: Acknowledgements require author and comment.")),
            (503, "<html>down\r\n</html>", .failed(reason: #"Icinga 2 API answered HTTP 503: <html>down\r\n</html>"#)),
        ]
        try await withAPI { api, settings in
            for (status, body, _) in cases {
                api.enqueue(.init(status: status, body: body))
            }
            for (status, body, expected) in cases {
                let outcome = try await acknowledge(Self.service, with: settings)
                #expect(outcome == expected, "HTTP \(status) \(body)")
            }
            #expect(api.requests.count == cases.count)
        }
    }

    @Test("Icinga's words are escaped, cut to 200 characters, and never carry the password")
    func quotedTextIsSafe() async throws {
        let long = "Service web-01!http is OK.\u{1B}[31m\n" + String(repeating: "x", count: 300) + Self.password
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["results": [["code": 409, "status": long]]]), as: UTF8.self)
        try await withAPI { api, settings in
            api.enqueue(.init(status: 409, body: body))
            api.enqueue(.init(status: 500, body: "echo: " + Self.password))
            let first = try await acknowledge(Self.service, with: settings)
            guard case .alreadyDone(let detail) = first else {
                Issue.record("expected alreadyDone, got \(first)")
                return
            }
            #expect(detail.count == 200 && detail.hasSuffix("..."))
            #expect(detail.hasPrefix(#"Service web-01!http is OK.\x1B[31m\nxxx"#))
            let second = try await acknowledge(Self.service, with: settings)
            #expect(second == .failed(reason: "Icinga 2 API answered HTTP 500: echo: <redacted>"))
        }
    }

    @Test("CLOSE, and alerts of other sources, are not supported; nothing is sent")
    func notSupported() async throws {
        try await withAPI { api, settings in
            var close = Self.service
            close.close = true
            for request in [
                close,
                AckRequest(target: .nagios(host: "web-01", service: "http"), author: "alice", comment: "ACK"),
                AckRequest(target: .alertmanager(matchers: [], externalURL: nil), author: "alice", comment: "ACK"),
            ] {
                let outcome = try await acknowledge(request, with: settings)
                guard case .notSupported = outcome else {
                    Issue.record("\(request.target) close=\(request.close): \(outcome)")
                    continue
                }
            }
            #expect(api.requests.isEmpty)
        }
    }

    @Test("an empty host or service name, or an unreadable password file, fails before anything is sent")
    func failsBeforeSending() async throws {
        try await withAPI { api, settings in
            for target in [AckTarget.icinga(host: "", service: nil), .icinga(host: "", service: "http"), .icinga(host: "web-01", service: "")] {
                let outcome = try await acknowledge(AckRequest(target: target, author: "a", comment: "ACK"), with: settings)
                #expect(outcome == .failed(reason: "no host or service name to acknowledge in Icinga 2"), "\(target)")
            }
            var missing = settings
            missing.passwordFile = settings.passwordFile + ".missing"
            let outcome = try await acknowledge(Self.service, with: missing)
            guard case .failed(let reason) = outcome else {
                Issue.record("expected failed, got \(outcome)")
                return
            }
            #expect(reason.hasPrefix("Icinga 2 API password unreadable: cannot read the credentials file \(missing.passwordFile)"), "\(reason)")
            #expect(api.requests.isEmpty)
        }
    }

    @Test("transport failures are failed with curl's words and no password: nothing listening, TLS to a plain HTTP server")
    func transportFailures() async throws {
        try await withAPI { api, settings in
            var closed = settings
            closed.url = "http://127.0.0.1:\(try RawConnection.freePort())"
            var tls = settings
            tls.url = api.url.replacingOccurrences(of: "http:", with: "https:")
            tls.caFile = settings.passwordFile  // not a certificate: TLS must fail, never fall back to no verification
            for (broken, expected) in [(closed, "could not connect"), (tls, "TLS failure")] {
                let outcome = try await acknowledge(Self.service, with: broken)
                guard case .failed(let reason) = outcome else {
                    Issue.record("\(broken.url): expected failed, got \(outcome)")
                    continue
                }
                #expect(reason.hasPrefix("Icinga 2 API: \(expected)"), "\(reason)")
                #expect(!reason.contains(Self.password) && !reason.contains("p4ss"), "\(reason)")
            }
        }
    }
}
