import Foundation
import Testing

@testable import NotifyState

/// Pages: alerts open to a reply, one per recipient and subject, with their codes.
@Suite(.timeLimit(.minutes(2))) struct PageStoreTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)
    static let alice = "+33611111111"
    static let bob = "+33622222222"

    func page(_ recipient: String, _ code: String, _ subject: String = "web01/HTTP") -> NewPage {
        NewPage(recipient: recipient, code: code, subject: subject, source: "nagios", target: #"{"nagios":["web01","HTTP"]}"#,
                text: "PROBLEM web01/HTTP CRITICAL ack:\(code)")
    }

    @Test(arguments: StoreBackend.allCases)
    func aRepeatRefreshesTheOpenPageAResolutionClosesItAndAFreshOneOpensAgain(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let first = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "4F"), at: Self.t0) }
            let again = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "7K"), at: Self.t0 + .seconds(60)) }
            #expect(again == first, "one page per recipient and subject while open")
            let other = try store.write { (tx) throws(StateError) in try tx.open(page(Self.bob, "7K"), at: Self.t0) }
            #expect(other != first)
            var pages = try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0) }
            #expect(pages.map(\.code) == ["7K"])
            #expect(try store.read { (r) throws(StateError) in try r.openPages(about: "web01/HTTP") }.count == 2)

            let resolved = try store.write { (tx) throws(StateError) in try tx.resolvePages(about: "web01/HTTP", at: Self.t0 + .seconds(120)) }
            #expect(resolved == 2)
            #expect(try store.read { (r) throws(StateError) in try r.openPages(about: "web01/HTTP") }.isEmpty)
            pages = try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0 + .seconds(60)) }
            #expect(pages.map(\.resolvedAt) == [Self.t0 + .seconds(120)], "recently resolved: its code is not free yet")
            #expect(try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0 + .seconds(121)) }.isEmpty)

            let reopened = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "9X"), at: Self.t0 + .seconds(180)) }
            #expect(reopened != first, "a new problem after the recovery is a new page")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func anAcknowledgementIsTakenOnceAndStandsThroughARepeat(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "4F"), at: Self.t0) }
            let first = try store.write { (tx) throws(StateError) in try tx.acknowledgePage(id, by: "alice", at: Self.t0 + .seconds(5)) }
            let second = try store.write { (tx) throws(StateError) in try tx.acknowledgePage(id, by: "bob", at: Self.t0 + .seconds(6)) }
            #expect(first && !second, "the first acknowledgement stands")
            _ = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "4F"), at: Self.t0 + .seconds(60)) }
            let stored = try #require(try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0) }.first)
            #expect(stored.ackedBy == "alice" && stored.ackedAt == Self.t0 + .seconds(5) && !stored.isOpen)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func pagesArePrunedWithTheHistory(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            _ = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "4F"), at: Self.t0) }
            _ = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "7K", "db1/disk"), at: Self.t0 + .seconds(10)) }
            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(5)) }
            #expect(try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0) }.map(\.code) == ["7K"])
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func anAcknowledgementByReplyMarksEveryOpenPageOnceAndKeepsItsSilence(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            for (number, code) in [(Self.alice, "4F"), (Self.bob, "7K")] {
                _ = try store.write { (tx) throws(StateError) in try tx.open(page(number, code), at: Self.t0) }
            }
            let until = Self.t0 + .seconds(7200)
            let acked = try store.write { (tx) throws(StateError) in
                try tx.acknowledgePages(about: "web01/HTTP", by: "alice", number: Self.alice, silence: (id: "3f2a", until: until), at: Self.t0 + .seconds(5))
            }
            #expect(acked == 2)
            let again = try store.write { (tx) throws(StateError) in
                try tx.acknowledgePages(about: "web01/HTTP", by: "bob", number: Self.bob, silence: nil, at: Self.t0 + .seconds(6))
            }
            #expect(again == 0, "acknowledged once: the first stands")
            let pages = try store.read { (r) throws(StateError) in try r.openPages(about: "web01/HTTP") }
            #expect(pages.allSatisfy { $0.ackedBy == "alice" && $0.ackedNumber == Self.alice && $0.silenceID == "3f2a" && $0.silenceUntil == until })
            #expect(try store.read { (r) throws(StateError) in try r.openPages(code: "7K") }.map(\.recipient) == [Self.bob])
            #expect(try store.read { (r) throws(StateError) in try r.silencedPages(at: Self.t0) }.count == 2)
            #expect(try store.read { (r) throws(StateError) in try r.silencedPages(at: until) }.isEmpty, "once the silence ends, not watched")
            _ = try store.write { (tx) throws(StateError) in try tx.resolvePages(about: "web01/HTTP", at: Self.t0 + .seconds(60)) }
            #expect(try store.read { (r) throws(StateError) in try r.silencedPages(at: Self.t0) }.isEmpty, "resolved: not watched")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aReplyIsRecordedOnceWithinTheRepeatWindow(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let reply = NewReply(messageID: "m1|+33611111111|ACK 4F", sender: Self.alice, text: "ACK 4F", command: "ack")
            func record(_ reply: NewReply, at time: Timestamp) throws -> Int64? {
                try store.write { (tx) throws(StateError) in try tx.recordReply(reply, repeatedSince: time - .seconds(600), at: time) }
            }
            let first = try #require(try record(reply, at: Self.t0))
            #expect(try record(reply, at: Self.t0 + .seconds(30)) == nil, "a repeated callback")
            #expect(try record(NewReply(messageID: nil, sender: Self.alice, text: "ACK", command: "ack"), at: Self.t0 + .seconds(31)) != nil)
            #expect(try record(reply, at: Self.t0 + .seconds(601)) != nil, "past the window, a new reply")
            try store.write { (tx) throws(StateError) in try tx.setReplyOutcome(first, "acknowledged") }
            _ = try store.write { (tx) throws(StateError) in try tx.prune(decidedBefore: Self.t0 + .seconds(700)) }
            #expect(try record(reply, at: Self.t0 + .seconds(702)) != nil, "pruned with the history")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailedOrAbandonedReplyIsNoRepeatOfItsRetry(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let reply = NewReply(messageID: "m9|+33611111111|ACK 4F", sender: Self.alice, text: "ACK 4F", command: "ack")
            func record(at time: Timestamp) throws -> Int64? {
                try store.write { (tx) throws(StateError) in try tx.recordReply(reply, repeatedSince: time - .seconds(600), at: time) }
            }
            let first = try #require(try record(at: Self.t0))
            #expect(try record(at: Self.t0 + .seconds(10)) == nil, "being acted on")
            let abandoned = try #require(try record(at: Self.t0 + .seconds(31)), "no outcome after 30 s: its process died")
            try store.write { (tx) throws(StateError) in try tx.setReplyOutcome(abandoned, "failed: Nagios is not running") }
            let retried = try #require(try record(at: Self.t0 + .seconds(40)), "a failed one may be retried")
            try store.write { (tx) throws(StateError) in try tx.setReplyOutcome(retried, "acknowledged") }
            #expect(try record(at: Self.t0 + .seconds(50)) == nil, "once acted on, a repeat")
            _ = first
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aRefreshTakesTheNewCodeTextTargetAndLabelAndKeepsWhenThePageOpened(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let id = try store.write { (tx) throws(StateError) in try tx.open(page(Self.alice, "4F"), at: Self.t0) }
            let refreshed = NewPage(recipient: Self.alice, code: "7K", subject: "web01/HTTP", source: "icinga", target: nil,
                                    text: "PROBLEM again ack:7K", label: "web01 HTTP")
            #expect(try store.write { (tx) throws(StateError) in try tx.open(refreshed, at: Self.t0 + .seconds(60)) } == id)
            let stored = try #require(try store.read { (r) throws(StateError) in try r.openPages(about: "web01/HTTP") }.first)
            #expect(stored == Page(id: id, recipient: Self.alice, code: "7K", subject: "web01/HTTP", source: "icinga", target: nil,
                                   text: "PROBLEM again ack:7K", label: "web01 HTTP", openedAt: Self.t0, updatedAt: Self.t0 + .seconds(60)))
            #expect(try store.read { (r) throws(StateError) in try r.openPages(code: "4F") }.isEmpty, "the old code is gone")
            #expect(try store.snapshot(at: Self.t0).pages.map(\.id) == [id], "status shows the open pages")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func pagesAreListedNewestFirstAndResolvedOnesLeaveTheOpenLists(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let ids = try store.write { (tx) throws(StateError) in
                [
                    try tx.open(page(Self.alice, "4F", "a"), at: Self.t0),
                    try tx.open(page(Self.alice, "4F", "b"), at: Self.t0 + .seconds(1)),
                    try tx.open(page(Self.bob, "4F", "c"), at: Self.t0 + .seconds(2)),
                ]
            }
            #expect(try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0) }.map(\.id) == [ids[1], ids[0]])
            #expect(try store.read { (r) throws(StateError) in try r.openPages(code: "4F") }.map(\.id) == ids.reversed())
            #expect(try store.write { (tx) throws(StateError) in try tx.resolvePages(about: "b", at: Self.t0 + .seconds(10)) } == 1)
            #expect(try store.write { (tx) throws(StateError) in try tx.resolvePages(about: "b", at: Self.t0 + .seconds(11)) } == 0, "resolved once")
            #expect(try store.read { (r) throws(StateError) in try r.openPages(code: "4F") }.map(\.id) == [ids[2], ids[0]])
            #expect(try store.snapshot(at: Self.t0).pages.map(\.id) == [ids[2], ids[0]])
            #expect(try store.read { (r) throws(StateError) in try r.pages(of: Self.alice, resolvedSince: Self.t0 + .seconds(10)) }.map(\.id)
                    == [ids[1], ids[0]], "resolved at the cutoff: still listed")
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func aReplyWithoutAnIDIsNeverARepeatAndTheWindowStartIsIncluded(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let anonymous = NewReply(messageID: nil, sender: Self.alice, text: "ACK", command: "ack")
            let keyed = NewReply(messageID: "m2|+33611111111|ACK", sender: Self.alice, text: "ACK", command: "ack")
            let (first, second, recorded) = try store.write { (tx) throws(StateError) in
                (try tx.recordReply(anonymous, repeatedSince: Self.t0, at: Self.t0), try tx.recordReply(anonymous, repeatedSince: Self.t0, at: Self.t0),
                 try tx.recordReply(keyed, repeatedSince: Self.t0, at: Self.t0))
            }
            #expect(first != nil && second != nil && first != second)
            let keyedID = try #require(recorded)
            try store.write { (tx) throws(StateError) in try tx.setReplyOutcome(keyedID, "acknowledged") }
            #expect(try store.write { (tx) throws(StateError) in try tx.recordReply(keyed, repeatedSince: Self.t0, at: Self.t0 + .seconds(100)) } == nil,
                    "received at the window's start")
            #expect(try store.write { (tx) throws(StateError) in
                try tx.recordReply(keyed, repeatedSince: Self.t0 + .milliseconds(1), at: Self.t0 + .seconds(100))
            } != nil)
        }
    }
}
