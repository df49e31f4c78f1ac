import NotifyState
import SMSPartner
import Testing

@testable import NotifyServer

/// Long replies: acted on as soon as the first part says what to do, else once every part has
/// come; each part kept once, per sender and reference, bounded.
@Suite struct ReplyAssemblerTests {
    static let t0 = Timestamp(milliseconds: 1_764_600_000_000)

    func part(_ text: String, _ index: Int, of total: Int, ref: String = "r1", from: String = "33611111111") -> ReplyCallback {
        ReplyCallback(from: from, text: text, messageID: "p\(index)", concat: .init(ref: ref, total: total, part: index))
    }

    @Test func aCommandIsActedOnWithItsFirstPartAndTheLaterPartsAreDropped() {
        let assembler = ReplyAssembler()
        #expect(assembler.add(part(" it, rebooting", 2, of: 3), at: Self.t0) == nil)
        let reply = assembler.add(part("ACK 4F on", 1, of: 3), at: Self.t0)
        #expect(reply?.text == "ACK 4F on it, rebooting" && reply?.concat == nil && reply?.messageID == "p1", "\(String(describing: reply))")
        #expect(assembler.add(part(" now", 3, of: 3), at: Self.t0) == nil, "acted on already: its last part is dropped")
        #expect(assembler.add(part("ACK 4F on", 1, of: 3), at: Self.t0) == nil, "a repeated first part too")
        #expect(assembler.add(ReplyCallback(from: "33611111111", text: "OK"), at: Self.t0)?.text == "OK", "a reply in one piece passes")
    }

    @Test func aReplyThatReadsAsNoCommandYetWaitsForAllItsParts() {
        let assembler = ReplyAssembler()
        #expect(assembler.add(part("Bonjour, je", 1, of: 3), at: Self.t0) == nil)
        #expect(assembler.add(part(" regarde", 3, of: 3), at: Self.t0) == nil)
        #expect(assembler.add(part(" regarde", 3, of: 3), at: Self.t0) == nil, "a repeated part changes nothing")
        #expect(assembler.add(part(" vous", 2, of: 3), at: Self.t0)?.text == "Bonjour, je vous regarde")
        #expect(assembler.add(part(" vous", 2, of: 3), at: Self.t0) == nil, "done: a late repeat never completes it twice")
    }

    @Test func anotherSendersPartsAreKeptApartAndOldOnesExpire() {
        let assembler = ReplyAssembler()
        #expect(assembler.add(part("Bonjour", 1, of: 2), at: Self.t0) == nil)
        #expect(assembler.add(part("forged", 2, of: 2, from: "33699999999"), at: Self.t0) == nil, "same ref, another sender")
        #expect(assembler.add(part(" ok", 2, of: 2), at: Self.t0 + ReplyAssembler.maxAge + .seconds(1)) == nil, "the first part expired")
        for index in 0..<(ReplyAssembler.maxPending + 10) {
            _ = assembler.add(part("x", 1, of: 2, ref: "flood\(index)"), at: Self.t0 + .milliseconds(index))
        }
        #expect(assembler.add(part("y", 2, of: 2, ref: "flood\(ReplyAssembler.maxPending + 9)"), at: Self.t0 + .seconds(1))?.text == "xy",
                "the newest kept")
        #expect(assembler.add(part("y", 2, of: 2, ref: "flood0"), at: Self.t0 + .seconds(1)) == nil, "the oldest given up")
    }
}
