import Foundation
import SMSPartnerTesting
import TestSupport
import Testing

/// `serve`'s worker and an unanswered request (issue 16): it records the outcome as unknown at
/// once (other deliveries go on), asks SMSPartner by tag after `lookup_delay`, and never sends
/// a request SMSPartner took a second time.
@Suite("serve: unknown outcomes")
struct ServeUnknownOutcomeTests {
    @Test("a reset after acceptance, then one that was not taken: each alert is texted exactly once")
    func workerAsksBeforeSendingAgain() async throws {
        try await withFake { fake in
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let config = try dir.write("config.yml", "lookup_delay: 1s\n")
            // The first request is taken and its reply lost; the second is not taken and its
            // connection closed; everything after is accepted normally.
            fake.enqueue(.acceptThenReset, .dropConnection)
            let serve = try await ServeProcess(arguments: ["--to", ServeTests.oncall, "--config", config], env: fake.env)
            for group in ["unknown-a", "unknown-b"] {
                let response = try await serve.post("/alertmanager", ServeTests.webhook(group: group))
                #expect(response.status == 200, "\(response.bodyText)")
                // One at a time: the fake's queued replies go to the requests in this order.
                #expect(await ServeProcess.eventually { fake.requests.filter { $0.path == "/v1/send" }.count >= (group == "unknown-a" ? 1 : 2) })
            }
            #expect(await ServeProcess.eventually(.seconds(20)) { fake.deliveredMessages.count == 2 }, "\(fake.requests.map(\.reply))")
            try await Task.sleep(for: .seconds(3))  // time for a wrong third send to show
            let sends = fake.requests.filter { $0.path == "/v1/send" }
            let lookups = fake.requests.filter { $0.path == "/v1/bulk-status-by-tag" }
            #expect(sends.count == 3, "the taken one once, the lost one twice: \(fake.requests.map(\.reply))")
            #expect(lookups.count == 2, "\(fake.requests.map(\.reply))")
            #expect(fake.deliveredMessages.count == 2)
            #expect(Set(fake.deliveredMessages.compactMap(\.message)).count == 2, "one SMS per alert")
            let metrics = try await serve.request(.get, "/metrics")
            #expect(metrics.bodyText.contains("smspartner_sms_confirmed_total 1"), "\(metrics.bodyText)")
            #expect(await serve.stop() == 0, "\(serve.stderr)")
            #expect(serve.stderr.contains("unknown: \(ServeTests.oncall): "), "the worker logs it as send prints it: \(serve.stderr)")
        }
    }
}
