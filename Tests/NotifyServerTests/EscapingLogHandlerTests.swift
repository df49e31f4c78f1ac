import Logging
import Testing

@testable import NotifyServer

/// Whatever a log call is given, one call writes one line, without control characters.
@Suite struct EscapingLogHandlerTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "bad\r\nforged" }
    }

    @Test func messagesMetadataAndErrorsStayOnOneLine() {
        let capture = LogCapture()
        var logger = capture.logger { EscapingLogHandler(wrapping: $0) }
        logger[metadataKey: "receiver"] = "team\nforged"
        logger.warning("receiver \"a\nb\u{1B}[31m\" \u{202E}", metadata: [
            "decisions": .array(["+336 queued", "x\ny"]), "nested": .dictionary(["k": "v\tw"]), "count": .stringConvertible(3),
        ])
        logger.log(level: .error, "failed", error: Failure())
        let lines = capture.lines
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.allSatisfy { line in !line.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" } }, "\(lines)")
        #expect(lines.first?.contains(#"receiver "a\nb\x1B[31m" \u{202E}"#) == true, "\(lines)")
        #expect(lines.first?.contains(#"receiver=team\nforged"#) == true, "\(lines)")
        // Values inside arrays and dictionaries are printed quoted, their escapes escaped again.
        #expect(lines.first?.contains(#""x\\ny""#) == true && lines.first?.contains(#""v\\tw""#) == true, "\(lines.first ?? "")")
        #expect(lines.last?.contains(#"error.message=bad\r\nforged"#) == true, "\(lines)")
    }

    @Test func safeTextIsWrittenAsItIs() {
        let capture = LogCapture()
        let logger = capture.logger { EscapingLogHandler(wrapping: $0) }
        logger.info("/alertmanager → 200 accepted", metadata: ["alerts": "3"])
        #expect(capture.lines.count == 1)
        #expect(capture.lines.first?.hasSuffix("alerts=3 [NotifyServerTests] /alertmanager → 200 accepted") == true, "\(capture.lines)")
    }
}
