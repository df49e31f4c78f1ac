import GRDB
import NotifyState
import SMSPartner
import SMSPartnerTesting
import SMSText
import TestSupport
import Testing

@testable import NotifyCore

/// Delivery receipts on a real SQLite store, asked of the fake SMSPartner through the real
/// libcurl client, with a clock the test moves.
@Suite struct ReceiptPollerTests {
    static let alice = OutboxTests.alice
    static let bob = OutboxTests.bob

    func poller(_ h: OutboxTests.Harness, settings: ReceiptSettings = ReceiptSettings()) -> ReceiptPoller {
        ReceiptPoller(store: h.outbox.store, settings: settings, client: h.sender.client, now: { h.clock.now })
    }

    func poll(_ poller: ReceiptPoller) async throws -> ReceiptPollReport {
        try await OwnThread.run { try poller.poll(within: .seconds(10)) }
    }

    func latest(_ h: OutboxTests.Harness) throws -> [String: DeliveryRecord] {
        let records = try h.snapshot().latest.filter { $0.state == .sent }
        return Dictionary(records.map { ($0.recipient, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func statusRequests(_ fake: FakeSMSPartner) -> Int {
        fake.requests.filter { $0.path.hasSuffix("/multi-status") || $0.path.hasSuffix("/message-status") }.count
    }

    @Test func pollingFindsDeliveredAndNotDelivered() async throws {
        try await OutboxTests().withOutbox { h in
            h.fake.scriptDelivery(to: Self.bob, [.notDelivered])
            _ = try await h.send("disk full", to: [Self.alice, Self.bob])
            #expect(try latest(h).values.allSatisfy { $0.receipt == .accepted })
            let poller = poller(h)
            #expect(try await poll(poller).checked == 0, "nothing is due before poll_after's first step")
            h.clock.advance(.seconds(61))
            let report = try await poll(poller)
            #expect(report.requests == 1, "both numbers in one multi-status request")
            let finals = Dictionary(report.finals.map { ($0.check.recipient, $0.state) }, uniquingKeysWith: { a, _ in a })
            #expect(finals == [Self.alice: .delivered, Self.bob: .notDelivered])
            let records = try latest(h)
            #expect(records[Self.alice]?.receipt == .delivered)
            #expect(records[Self.bob]?.receipt == .notDelivered)
            #expect(records[Self.bob]?.receiptAt == h.clock.now)
            h.clock.advance(.seconds(3600))
            #expect(try await poll(poller).checked == 0, "a final report is never asked for again")
            let summary = try h.outbox.store.read { (reader) throws(StateError) in
                try reader.receiptSummary(sentSince: h.clock.now - .seconds(86_400), staleBefore: h.clock.now)
            }
            #expect(summary[.delivered] == 1 && summary[.notDelivered] == 1 && summary.undeliveredShare == 0.5)
        }
    }

    @Test func waitingIsAskedAgainAtEachStep() async throws {
        try await OutboxTests().withOutbox { h in
            h.fake.scriptDelivery(to: Self.alice, [.waiting, .waiting, .delivered])
            _ = try await h.send("disk full", to: [Self.alice])
            let poller = poller(h)
            h.clock.advance(.seconds(60))
            #expect(try await poll(poller).finals.isEmpty)
            h.clock.advance(.seconds(180))
            #expect(try await poll(poller).checked == 0, "the next look is at 5m")
            h.clock.advance(.seconds(60))
            #expect(try await poll(poller).finals.isEmpty)
            h.clock.advance(.seconds(25 * 60))
            let report = try await poll(poller)
            #expect(report.finals.map(\.state) == [.delivered])
            #expect(report.finals.first?.latency == .seconds(30 * 60))
            #expect(statusRequests(h.fake) == 3)
        }
    }

    /// The figure of the README: 1,000 SMS that never get a final report cost 102 status
    /// requests over 48 h (2 per look, 51 looks), then are `expired`.
    @Test func aThousandSMSCostTwoRequestsPerLook() async throws {
        let caps = PolicySettings(rateLimits: [], hourlyCap: nil, dailyCap: nil)
        try await OutboxTests().withOutbox(caps) { h in
            h.fake.setDefaultDeliveryStatus(.waiting)
            let numbers = (0..<1000).map { "+336" + String(10_000_000 + $0) }
            _ = try await h.send("storm", to: numbers, within: .seconds(20))
            #expect(h.fake.deliveredMessages.count == 2, "two send requests of 500")
            let poller = poller(h)
            let sent = h.clock.now
            var looks = 0
            var expired = 0
            for step in 0..<60 {
                let due = ReceiptSettings().nextPoll(sentAt: sent, polls: step)
                if due > h.clock.now { h.clock.advance(due - h.clock.now) }
                let report = try await poll(poller)
                if report.checked > 0 { looks += 1 }
                expired += report.finals.filter { $0.state == .expired }.count
                if expired == 1000 { break }
            }
            #expect(expired == 1000)
            #expect(looks == 51, "1m, 5m, 30m, 1h, then hourly to 48h")
            #expect(statusRequests(h.fake) == 102)
        }
    }

    @Test func aPushSettlesOnceAndAnUnknownOneChangesNothing() async throws {
        try await OutboxTests().withOutbox { h in
            _ = try await h.send("disk full", to: [Self.alice, Self.bob])
            let id = try #require(try latest(h)[Self.alice]?.providerMessageID)
            let poller = poller(h)
            let delivered = DeliveryCallback(messageID: id, phoneNumber: "33611111111", status: "Delivered", delivery: .delivered)
            guard case .recorded(let finals) = try poller.record(delivered) else {
                Issue.record("the push was not recorded")
                return
            }
            #expect(finals.map(\.check.recipient) == [Self.alice])
            #expect(finals.first?.pushed == true)
            #expect(try poller.record(delivered) == .unchanged, "a final state is kept")
            let other = DeliveryCallback(messageID: "999999", phoneNumber: "33611111111", status: "Not delivered", delivery: .notDelivered(reason: "Not delivered"))
            #expect(try poller.record(other) == .unknown)
            let noNumber = DeliveryCallback(messageID: id, phoneNumber: nil, status: "Delivered", delivery: .delivered)
            #expect(try poller.record(noNumber) == .unknown, "two numbers share the id: a number is needed")
            let records = try latest(h)
            #expect(records[Self.alice]?.receipt == .delivered)
            #expect(records[Self.bob]?.receipt == .accepted)
        }
    }

    @Test func aFailedLookIsTakenAgainWhenItsClaimRunsOut() async throws {
        try await OutboxTests().withOutbox { h in
            _ = try await h.send("disk full", to: [Self.alice])
            h.fake.failStatusQueries(1)
            let poller = poller(h)
            h.clock.advance(.seconds(61))
            let failed = try await poll(poller)
            #expect(failed.failure != nil)
            #expect(failed.finals.isEmpty)
            h.clock.advance(.seconds(60))
            #expect(try await poll(poller).checked == 0, "claimed for 5 minutes")
            h.clock.advance(ReceiptPoller.claimLease)
            #expect(try await poll(poller).finals.map(\.state) == [.delivered])
        }
    }

    @Test func withoutPollingOnlyTheLast48hLookRemains() async throws {
        try await OutboxTests().withOutbox { h in
            _ = try await h.send("disk full", to: [Self.alice])
            let poller = poller(h, settings: ReceiptSettings(pollAfter: [], callbackURL: "https://x/smspartner/dlr", tokenFile: "/t"))
            h.clock.advance(.seconds(47 * 3600))
            let look = try await poll(poller)
            #expect(look.requests == 0 && look.finals.isEmpty, "nothing is asked, nothing final before 48 h")
            h.clock.advance(.seconds(3600))
            let report = try await poll(poller)
            #expect(report.finals.map(\.state) == [.expired])
            #expect(report.requests == 0, "nothing is asked without polling")
        }
    }

    @Test func withoutMultiStatusEachNumberIsAskedAlone() async throws {
        try await OutboxTests().withOutbox { h in
            h.fake.removeMultiStatus()
            h.fake.scriptDelivery(to: Self.bob, [.notDelivered])
            _ = try await h.send("disk full", to: [Self.alice, Self.bob])
            h.clock.advance(.seconds(61))
            let report = try await poll(poller(h))
            #expect(report.requests == 3, "one multi-status refused, then one message-status per number")
            #expect(Set(report.finals.map(\.state)) == [.delivered, .notDelivered])
            #expect(h.fake.requests.filter { $0.path.hasSuffix("/message-status") }.count == 2)
        }
    }

    /// A run with no time left asks nothing and moves nothing along its schedule: what it
    /// claimed is due again at once (not at the next step, and not 5 minutes later).
    @Test func whatARunHadNoTimeForIsDueAgainAtOnce() async throws {
        try await OutboxTests().withOutbox { h in
            h.fake.scriptDelivery(to: Self.alice, [.delivered])
            _ = try await h.send("disk full", to: [Self.alice])
            h.clock.advance(.seconds(61))
            let poller = poller(h)
            let hurried = try await OwnThread.run { try poller.poll(within: .milliseconds(200)) }
            #expect(hurried.checked == 1 && hurried.requests == 0 && hurried.finals.isEmpty && hurried.failure == nil)
            let report = try await poll(poller)
            #expect(report.finals.map(\.state) == [.delivered], "due again at once")
            #expect(report.finals.first?.check.polls == 0, "no step of the schedule used up")
        }
    }

    /// A send confirmed by its tag has no message id: its receipts are asked for by tag, one
    /// request for all its numbers.
    @Test func aSendConfirmedByItsTagIsAskedAboutByTag() async throws {
        try await OutboxTests().withOutbox(tagPrefix: "notify") { h in
            _ = try await h.send("disk full", to: [Self.alice, Self.bob])
            let database = try DatabaseQueue(path: h.scratch + "/" + SQLiteStateStore.fileName)
            try await database.write { db in try db.execute(sql: "UPDATE delivery SET provider_message_id = NULL") }
            try database.close()
            h.clock.advance(.seconds(61))
            let report = try await poll(poller(h))
            #expect(report.requests == 1, "one bulk-status-by-tag for the message")
            #expect(h.fake.requests.filter { $0.path.hasSuffix("/bulk-status-by-tag") }.count == 1)
            #expect(Set(report.finals.map(\.check.recipient)) == [Self.alice, Self.bob])
            #expect(report.finals.allSatisfy { $0.state == .delivered }, "\(report.finals)")
        }
    }

    @Test func theScheduleSteps() {
        let settings = ReceiptSettings()
        let sent = Timestamp(milliseconds: 0)
        let offsets = (0..<52).map { (settings.nextPoll(sentAt: sent, polls: $0) - sent).components.seconds / 60 }
        #expect(Array(offsets.prefix(6)) == [1, 5, 30, 60, 120, 180])
        #expect(offsets[50] == 48 * 60)
        #expect(offsets[51] == 48 * 60, "never later than 48 h")
    }
}
