import Foundation
import NotifyCore
import TestSupport
import Testing

// A real Icinga 2 (Debian's, its own temporary configuration, see IcingaAPISite) with its REST
// API on loopback over TLS, checked against the site's own CA: Icinga2Acknowledger acknowledges
// a CRITICAL service there, and the API then shows it acknowledged. The time from the call to
// the object showing the acknowledgement is printed (the reply-to-ack latency of issue 21 for
// Icinga 2, without the SMS leg).
//
// Needs /usr/sbin/icinga2 (and curl, as the other Icinga tests): without them the test fails,
// unless SMSPARTNER_SKIP_ICINGA=1.

/// `Icinga2Acknowledger` against the real `icinga2` API.
@Suite(
    "Icinga 2 acknowledgements: Icinga2Acknowledger against a real icinga2 API",
    .disabled(if: IcingaDaemon.skipRequested, "SMSPARTNER_SKIP_ICINGA=1"),
    .timeLimit(.minutes(2)))
struct Icinga2AcknowledgerDaemonTests {
    static let author = "alice"
    static let comment = "ACK looking into it"

    @Test("a CRITICAL service is acknowledged (sticky); again is already done (409); a host UP, an unknown service, a wrong password, no CA")
    func acknowledgeThroughTheAPI() async throws {
        try await IcingaAPISite.withCriticalService { site, daemon, scratch in
            let serviceName = IcingaAPISite.serviceName
            let up = try await site.waitFor("hosts", IcingaAPISite.host, daemon: daemon, within: .seconds(20)) { $0.lastCheck > 0 && $0.state == 0 }
            try #require(up != nil, "web-01 was never checked UP\n\(site.diagnostics(daemon: daemon))")

            let acknowledger = Icinga2Acknowledger(settings: site.settings)
            let service = AckRequest(
                target: .icinga(host: IcingaAPISite.host, service: IcingaAPISite.service), author: Self.author, comment: Self.comment)
            func acknowledge(_ request: AckRequest, with settings: TwoWaySettings.Icinga2? = nil) async throws -> AckOutcome {
                let chosen = settings.map { Icinga2Acknowledger(settings: $0) } ?? acknowledger
                return try await OwnThread.run { chosen.acknowledge(request, timeout: .seconds(10)) }
            }

            // The measured part, beside light tests only.
            try await LoadGate.shared.with(exclusive: false) {
                let start = ContinuousClock.now
                let outcome = try await acknowledge(service)
                let answered = ContinuousClock.now - start
                #expect(outcome == .acknowledged(detail: "acknowledged in Icinga 2"), "\(site.diagnostics(daemon: daemon))")
                let seen = try await site.waitFor("services", serviceName, daemon: daemon, within: .seconds(10)) { $0.acknowledgement != 0 }
                let visible = ContinuousClock.now - start
                #expect(seen?.acknowledgement == 2, "not acknowledged (sticky) in the API within 10 s: \(String(describing: seen))")
                print("Icinga 2 acknowledgement latency: API answered in \(Self.milliseconds(answered)) ms, the service showed acknowledgement=2 after \(Self.milliseconds(visible)) ms")
            }

            let again = try await acknowledge(service)
            #expect(again == .alreadyDone(detail: "Service web-01!http is already acknowledged."))

            let host = try await acknowledge(AckRequest(target: .icinga(host: IcingaAPISite.host, service: nil), author: Self.author, comment: Self.comment))
            #expect(host == .alreadyDone(detail: "Host web-01 is UP."))

            let unknown = try await acknowledge(
                AckRequest(target: .icinga(host: IcingaAPISite.host, service: "no-such"), author: Self.author, comment: Self.comment))
            #expect(unknown == .failed(reason: "no such host/service in Icinga 2"))

            let wrongPassword = UUID().uuidString
            var wrong = site.settings
            wrong.passwordFile = try scratch.write("wrong.pass", wrongPassword)
            let refused = try await acknowledge(service, with: wrong)
            #expect(refused == .failed(reason: "Icinga 2 API refused the user (check two_way.icinga2.user/password_file)"))
            #expect(!"\(refused)".contains(wrongPassword) && !"\(refused)".contains(site.password))

            // Without the site's CA the self-signed certificate is not trusted: verification is on.
            var systemCAs = site.settings
            systemCAs.caFile = nil
            let untrusted = try await acknowledge(service, with: systemCAs)
            guard case .failed(let reason) = untrusted else {
                Issue.record("expected a TLS failure without the site's CA, got \(untrusted)")
                return
            }
            #expect(reason.hasPrefix("Icinga 2 API: TLS failure"), "\(reason)")
            #expect(!reason.contains(site.password))

            var close = service
            close.close = true
            guard case .notSupported = try await acknowledge(close) else {
                Issue.record("CLOSE should not be supported by Icinga 2")
                return
            }
            #expect(daemon.isRunning, "icinga2 exited during the test\n\(site.diagnostics(daemon: daemon))")
        }
    }

    /// Whole milliseconds of `duration`.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
