import AlertModel
import Testing

@Suite struct PlainTextDecoderTests {
    @Test func firstLineIsTheSummaryAndTheRestTheDetails() throws {
        let alert = try #require(PlainTextDecoder.decode("\n\n  disk full on db1  \n/var 97%\n\n/tmp 12%\n\n"))
        #expect(alert.source == .generic)
        #expect(alert.summary == "disk full on db1")
        #expect(alert.details == "/var 97%\n\n/tmp 12%")
    }

    @Test func aSingleLineHasNoDetails() throws {
        let alert = try #require(PlainTextDecoder.decode("backup failed\n"))
        #expect(alert.summary == "backup failed")
        #expect(alert.details == nil)
    }

    @Test func crlfLinesAreSplitToo() throws {
        let alert = try #require(PlainTextDecoder.decode("a\r\nb\r\n"))
        #expect(alert.summary == "a")
        #expect(alert.details == "b")
    }

    @Test(arguments: ["", "   ", "\n\n", " \t\r\n "])
    func whitespaceOnlyIsNoAlert(_ text: String) {
        #expect(PlainTextDecoder.decode(text) == nil)
    }
}
