import NotifyState
import PropertyBased
import SMSText
import Testing

@testable import NotifyCore

@Suite struct DigestComposerTests {
    static let start = Timestamp(milliseconds: 1_764_600_000_000)

    /// One held entry, `index` seconds after ``start``.
    static func entry(_ index: Int, _ type: String, _ label: String, _ status: String, rank: Int, reason: DecisionReason? = nil) -> HeldEntry {
        HeldEntry(deliveryID: Int64(index), createdAt: start + .seconds(Int64(index)), typeLabel: type, label: label,
                  status: status, rank: rank, reason: reason)
    }

    func entries(_ items: [(String, String)]) -> [HeldEntry] {
        items.enumerated().map { index, item in
            HeldEntry(deliveryID: Int64(index), createdAt: Self.start + .seconds(Int64(index)), typeLabel: item.0, label: item.1)
        }
    }

    @Test func countsTypesMostFrequentFirstAndListsEachSubjectOnce() {
        let held = entries([
            ("PROBLEM", "web01/HTTP"), ("PROBLEM", "db1/disk"), ("RECOVERY", "web01/HTTP"), ("PROBLEM", "db1/disk"),
            ("PROBLEM", "cache1"), ("RECOVERY", "db1/disk"), ("PROBLEM", "web02/HTTP"),
        ])
        let text = DigestComposer(renderer: MessageRenderer()).compose(held).message.text
        let since = Self.start.localTimeOfDay
        #expect(text == "+7 suppressed since \(since): 5 PROBLEM, 2 RECOVERY; web01/HTTP, db1/disk, cache1, web02/HTTP")
    }

    /// Quiet hours: what is still open first (worst first), then what fired and resolved inside
    /// the window, counted and named; a recovery alone (its problem texted before) stays listed.
    @Test func aQuietHoursDigestCountsWhatFiredAndResolved() {
        func entry(_ index: Int, _ type: String, _ label: String, _ status: String, rank: Int) -> HeldEntry {
            Self.entry(index, type, label, status, rank: rank, reason: .quietHours)
        }
        let held = [
            entry(0, "PROBLEM", "web02/load", "WARNING", rank: 2),
            entry(1, "PROBLEM", "web01/HTTP", "WARNING", rank: 2),
            entry(2, "RECOVERY", "web02/load", "OK", rank: 6),
            entry(3, "PROBLEM", "db1", "UNREACHABLE", rank: 0),
            entry(4, "RECOVERY", "cache1/load", "OK", rank: 6),
            entry(5, "PROBLEM", "app1/queue", "WARNING", rank: 2),
            entry(6, "RECOVERY", "app1/queue", "OK", rank: 6),
        ]
        let composer = DigestComposer(renderer: MessageRenderer())
        let since = Self.start.localTimeOfDay
        #expect(composer.compose(held).message.text == "+7 held in quiet hours since \(since): db1 UNREACHABLE, web01/HTTP WARNING, "
            + "cache1/load OK; 2 fired and resolved overnight: web02/load, app1/queue")
        // Without quiet hours, the same entries read as before: every subject with its latest status.
        let plain = held.map { var entry = $0; entry.reason = .recipientLimit; return entry }
        #expect(composer.compose(plain).message.text.hasSuffix("; db1 UNREACHABLE, web02/load OK, web01/HTTP WARNING, app1/queue OK, cache1/load OK"))
        // Many resolved: as many names as fit, then +K more; the count is always given.
        var many = [entry(0, "PROBLEM", "web01/HTTP", "WARNING", rank: 2)]
        for index in 1...40 {
            many.append(entry(2 * index, "PROBLEM", "host\(index)/disk", "WARNING", rank: 2))
            many.append(entry(2 * index + 1, "RECOVERY", "host\(index)/disk", "OK", rank: 6))
        }
        let text = composer.compose(many).message.text
        #expect(text.hasPrefix("+81 held in quiet hours since \(since): web01/HTTP WARNING; 40 fired and resolved overnight: host1/disk"), "\(text)")
        #expect(text.hasSuffix(" more"), "\(text)")
        #expect(composer.compose(many).measurement.segments == 1)
    }

    @Test func namesWhatItHeldWorstFirstWithTheirLatestStatus() {
        func entry(_ index: Int, _ type: String, _ label: String, _ status: String, rank: Int) -> HeldEntry {
            Self.entry(index, type, label, status, rank: rank)
        }
        let held = [
            entry(0, "PROBLEM", "web01/HTTP", "WARNING", rank: 2),
            entry(1, "ACKNOWLEDGEMENT", "db1/disk", "ACK", rank: 5),
            entry(2, "PROBLEM", "web01", "DOWN", rank: 0),
            entry(3, "RECOVERY", "cache1/load", "OK", rank: 6),
            entry(4, "PROBLEM", "app1/queue", "CRITICAL", rank: 0),
            entry(5, "RECOVERY", "web01/HTTP", "OK", rank: 6),
        ]
        let text = DigestComposer(renderer: MessageRenderer()).compose(held).message.text
        let since = Self.start.localTimeOfDay
        #expect(text == "+6 suppressed since \(since): 3 PROBLEM, 2 RECOVERY, 1 ACKNOWLEDGEMENT; web01 DOWN, app1/queue CRITICAL, web01/HTTP OK, db1/disk ACK, cache1/load OK")
    }

    @Test func subjectsThatDoNotFitEndInMore() {
        let held = entries((0..<40).map { ("PROBLEM", "server\($0).example.net/disk") })
        let rendered = DigestComposer(renderer: MessageRenderer()).compose(held)
        #expect(rendered.measurement.segments == 1)
        #expect(rendered.message.text.hasPrefix("+40 suppressed since "))
        #expect(rendered.message.text.range(of: #", \+\d+ more$"#, options: .regularExpression) != nil, "\(rendered.message.text)")
        #expect(rendered.truncated.isEmpty, "shortened by listing fewer, not by cutting: \(rendered.message.text)")
    }

    @Test func anyHeldEntriesFitTheBudget() async {
        await propertyCheck(count: 200, input: Gen.int(in: 1...3), RandomText.any(0...12).array(of: 1...60)) { segments, labels in
            let renderer = MessageRenderer(maxSegments: segments)
            let held = entries(labels.enumerated().map { (["PROBLEM", "RECOVERY", "FIRING", "ÉCHEC"][$0.offset % 4], $0.element) })
            let rendered = DigestComposer(renderer: renderer).compose(held)
            #expect(rendered.measurement.segments <= segments)
            #expect(rendered.message.text.hasPrefix("+\(held.count) suppressed"))
        }
    }
}
