import Foundation
import Testing

@testable import NotifyState

/// The checks of `run`: one row per name, replaced in place, pruned with the history and
/// bounded.
@Suite(.timeLimit(.minutes(2))) struct CheckRunStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)

    func check(_ name: String, at time: Timestamp = t0) -> CheckRun {
        CheckRun(name: name, state: "failing", since: time, failures: 1, alerted: nil, lastOutput: "disk full", updatedAt: time)
    }

    @Test(arguments: StoreBackend.allCases)
    func oneRowPerNameReplacedInPlace(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == nil)
            var stored = check("backup")
            try store.write { (tx) throws(StateError) in try tx.save(stored) }
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == stored)
            stored.state = "ok"
            stored.since = Self.t0 + .seconds(30)
            stored.failures = 2
            stored.alerted = "failing"
            stored.lastOutput = nil
            stored.updatedAt = Self.t0 + .seconds(60)
            try store.write { (tx) throws(StateError) in try tx.save(stored) }
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "backup") } == stored)
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "other") } == nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func prunedWhenNotRunFor400DaysBeyondTheHistory(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            try store.write { (tx) throws(StateError) in
                try tx.save(check("old", at: Self.t0))
                try tx.save(check("recent", at: Self.t0 + .seconds(100)))
            }
            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(50)) }
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "old") } != nil, "a monthly job keeps its state")
            let cutoff = Self.t0 + StateLimits.checkRunRetention + .seconds(50)
            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: cutoff) }
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "old") } == nil)
            #expect(try store.read { (r) throws(StateError) in try r.checkRun(named: "recent") } != nil)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func boundedWhateverTheirAge(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let count = StateLimits.maxCheckRuns + 5
            try store.write { (tx) throws(StateError) in
                for index in 0..<count {
                    try tx.save(CheckRun(name: "c\(index)", state: "ok", since: Self.t0, failures: 0, alerted: nil, lastOutput: nil,
                                         updatedAt: Self.t0 + .milliseconds(Int64(index))))
                }
            }
            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0) }
            try store.read { (r) throws(StateError) in
                for index in 0..<5 {
                    #expect(try r.checkRun(named: "c\(index)") == nil, "the least recently run go first")
                }
                #expect(try r.checkRun(named: "c5") != nil)
                #expect(try r.checkRun(named: "c\(count - 1)") != nil)
            }
        }
    }
}
