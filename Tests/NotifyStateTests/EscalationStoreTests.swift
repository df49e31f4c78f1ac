import Foundation
import Testing

@testable import NotifyState

/// Escalations: one active per subject, advanced and stopped in place, listed with the steps
/// due first, pruned with history.
@Suite(.timeLimit(.minutes(2))) struct EscalationStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)

    func escalation(_ subject: String = "nagios:web01/HTTP", nextAt: Timestamp? = t0 + .seconds(600)) -> Escalation {
        Escalation(subject: subject, policy: "default", label: "web01/HTTP", source: "nagios", target: nil, text: "PROBLEM web01/HTTP",
                   steps: 2, startedAt: Self.t0, nextAt: nextAt, paged: ["+33611111111"])
    }

    @Test(arguments: StoreBackend.allCases)
    func oneActivePerSubjectAdvancedAndStoppedInPlace(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var stored = escalation()
            stored.id = try store.write { (tx) throws(StateError) in try tx.insert(stored, at: Self.t0) }
            #expect(throws: StateError.self, "a second active escalation of one subject is refused") {
                try store.write { (tx) throws(StateError) in _ = try tx.insert(escalation(), at: Self.t0) }
            }
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "nagios:web01/HTTP") } == stored)

            stored.step = 1
            stored.firedAt = Self.t0 + .seconds(600)
            stored.nextAt = nil
            stored.exhaustedAt = Self.t0 + .seconds(600)
            stored.paged.append("+33622222222")
            try store.write { (tx) throws(StateError) in try tx.update(stored, at: Self.t0 + .seconds(600)) }
            stored.updatedAt = Self.t0 + .seconds(600)
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 10) } == [stored])
            let snapshot = try store.snapshot(at: Self.t0)
            #expect(snapshot.escalations == [stored])

            stored.stoppedAt = Self.t0 + .seconds(700)
            stored.stopReason = .acked
            try store.write { (tx) throws(StateError) in try tx.update(stored, at: Self.t0 + .seconds(700)) }
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 10) }.isEmpty)
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "nagios:web01/HTTP") } == nil)
            let again = try store.write { (tx) throws(StateError) in try tx.insert(escalation(), at: Self.t0 + .seconds(800)) }
            #expect(again != stored.id, "a stopped one leaves room for the next")
            let later = try store.write { (tx) throws(StateError) in try tx.insert(escalation("other"), at: Self.t0 + .seconds(1000)) }

            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(900)) }
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 10) }.map(\.id) == [later],
                    "pruned with the history, even one not stopped; a later one stays")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func everyFieldRoundTrips(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            var full = Escalation(subject: "am:fp1", policy: "night", label: "HostDown db1", source: "alertmanager",
                                  target: #"{"alertmanager":"fp1"}"#, text: "FIRING HostDown db1", step: 1, steps: 3, round: 2,
                                  startedAt: Self.t0, nextAt: Self.t0 + .seconds(300), paged: [])
            full.roundStartedAt = Self.t0 + .seconds(100)
            full.firedAt = Self.t0 + .seconds(200)
            full.id = try store.write { (tx) throws(StateError) in try tx.insert(full, at: Self.t0 + .seconds(250)) }
            full.updatedAt = Self.t0 + .seconds(250)
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "am:fp1") } == full, "no number paged yet: empty")
            full.paged = ["+33611111111", "+33622222222"]
            full.step = 2
            full.round = 3
            full.roundStartedAt = Self.t0 + .seconds(400)
            full.firedAt = Self.t0 + .seconds(450)
            full.nextAt = nil
            full.exhaustedAt = Self.t0 + .seconds(450)
            try store.write { (tx) throws(StateError) in try tx.update(full, at: Self.t0 + .seconds(450)) }
            full.updatedAt = Self.t0 + .seconds(450)
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "am:fp1") } == full)
            full.stoppedAt = Self.t0 + .seconds(500)
            full.stopReason = .resolved
            try store.write { (tx) throws(StateError) in try tx.update(full, at: Self.t0 + .seconds(500)) }
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalation(about: "am:fp1") } == nil)
            let other = try store.write { (tx) throws(StateError) in try tx.insert(escalation("am:fp1"), at: Self.t0 + .seconds(600)) }
            #expect(other != full.id)
        }
    }

    /// The steps due first, soonest first; then the exhausted ones, which only wait for an ack
    /// or a recovery; a limit keeps the head of that order.
    @Test(arguments: StoreBackend.allCases)
    func activeEscalationsComeWithTheStepsDueFirst(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try store.write { (tx) throws(StateError) -> [String: Int64] in
                var exhausted = escalation("exhausted", nextAt: nil)
                exhausted.exhaustedAt = Self.t0
                var stopped = escalation("stopped", nextAt: Self.t0 + .seconds(1))
                stopped.stoppedAt = Self.t0
                stopped.stopReason = .acked
                return [
                    "exhausted": try tx.insert(exhausted, at: Self.t0),
                    "late": try tx.insert(escalation("late", nextAt: Self.t0 + .seconds(900)), at: Self.t0),
                    "soon": try tx.insert(escalation("soon", nextAt: Self.t0 + .seconds(60)), at: Self.t0),
                    "stopped": try tx.insert(stopped, at: Self.t0),
                ]
            }
            let active = try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 10) }
            #expect(active.map(\.subject) == ["soon", "late", "exhausted"])
            #expect(active.map(\.id) == [ids["soon"], ids["late"], ids["exhausted"]].compactMap { $0 })
            #expect(try store.read { (r) throws(StateError) in try r.activeEscalations(limit: 1) }.map(\.subject) == ["soon"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func theLatestDeliveryOfEachNumberAboutTheSubjectsSkipsDuplicatesAndOthers(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let latest = try store.write { (tx) throws(StateError) -> [DeliveryRecord] in
                let message = try tx.insert(NewMessage(kind: .alert, text: "x"), at: Self.t0)
                func add(_ recipient: String, _ subject: String, _ state: DeliveryState, at seconds: Int64) throws(StateError) {
                    _ = try tx.insert(NewDelivery(messageID: message, recipient: recipient, state: state, subject: subject), at: Self.t0 + .seconds(seconds))
                }
                try add("+33611111111", "s", .failed, at: 1)
                try add("+33611111111", "s", .duplicate, at: 2)
                try add("+33611111111", "other", .pending, at: 3)
                try add("+33622222222", "escalation:s", .sent, at: 4)
                try add("+33633333333", "s", .sent, at: -10)
                return try tx.latestDeliveries(to: ["+33611111111", "+33622222222", "+33633333333", "+33611111111"], about: ["s", "escalation:s"],
                                               since: Self.t0)
            }
            #expect(latest.map(\.recipient) == ["+33611111111", "+33622222222"])
            #expect(latest.map(\.state) == [.failed, .sent])
            #expect(latest.map(\.subject) == ["s", "escalation:s"])
            try store.read { (r) throws(StateError) in
                #expect(try r.latestDeliveries(to: [], about: ["s"], since: Self.t0).isEmpty)
                #expect(try r.latestDeliveries(to: ["+33611111111"], about: [], since: Self.t0).isEmpty)
                #expect(try r.latestDeliveries(to: ["+33611111111"], about: ["s"], since: Self.t0 + .seconds(2)).isEmpty,
                        "since: decided at or after it")
                #expect(try r.latestDeliveries(to: ["+33611111111"], about: ["s"], since: Self.t0 + .seconds(1)).map(\.state) == [.failed])
            }
        }
    }
}
