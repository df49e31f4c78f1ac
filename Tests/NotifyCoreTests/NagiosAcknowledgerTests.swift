import Foundation
import TestSupport
import Testing

@testable import NotifyCore

#if canImport(Glibc)
import Glibc
#endif

/// Nagios acknowledgements: the exact command lines, what no reply can inject, and the command
/// file as a FIFO (with and without a reader, full) or a regular file.
@Suite struct NagiosAcknowledgerTests {
    static let time = 1_718_000_000

    static func request(host: String = "web01", service: String? = "HTTP", author: String = "alice", comment: String = "ACK on it",
                        close: Bool = false) -> AckRequest {
        AckRequest(target: .nagios(host: host, service: service), author: author, comment: comment, close: close)
    }

    static func acknowledger(_ path: String) -> NagiosAcknowledger {
        NagiosAcknowledger(settings: TwoWaySettings.Nagios(commandFile: path))
    }

    /// The lines `acknowledge` may have written between `before` and `after` (whole seconds).
    static func expectedLines(_ request: AckRequest, from before: Int, to after: Int) throws -> [String] {
        guard case .nagios(let host, let service) = request.target else { return [] }
        return try (before...after).map {
            try NagiosAcknowledger.commandLine(host: host, service: service, author: request.author, comment: request.comment, time: $0)
        }
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    @Test func serviceAndHostLinesAreExact() throws {
        #expect(try NagiosAcknowledger.commandLine(host: "web01", service: "HTTP check", author: "alice", comment: "ACK on it", time: Self.time)
                == "[1718000000] ACKNOWLEDGE_SVC_PROBLEM;web01;HTTP check;2;1;1;alice;ACK on it\n")
        #expect(try NagiosAcknowledger.commandLine(host: "web01", service: nil, author: "+33600000000", comment: "ACK", time: Self.time)
                == "[1718000000] ACKNOWLEDGE_HOST_PROBLEM;web01;2;1;1;+33600000000;ACK\n")
        // Non-ASCII words pass as they are; empty fields (strtok would drop them) get a value.
        #expect(try NagiosAcknowledger.commandLine(host: "web01", service: nil, author: "Zoé", comment: "ACK j'arrive ✓", time: Self.time)
                == "[1718000000] ACKNOWLEDGE_HOST_PROBLEM;web01;2;1;1;Zoé;ACK j'arrive ✓\n")
        #expect(try NagiosAcknowledger.commandLine(host: "web01", service: nil, author: " \n", comment: "", time: Self.time)
                == "[1718000000] ACKNOWLEDGE_HOST_PROBLEM;web01;2;1;1;smspartner-notify;ACK\n")
    }

    @Test(arguments: [
        ("eve;x", "ACK\n[1718000000] SHUTDOWN_PROGRAM", "eve,x", "ACK [1718000000] SHUTDOWN_PROGRAM"),
        ("eve", "ACK;0;1;1;x;y\n[1] DISABLE_NOTIFICATIONS\n", "eve", "ACK,0,1,1,x,y [1] DISABLE_NOTIFICATIONS"),
        ("eve\r\n[1] SHUTDOWN_PROGRAM", "ACK\u{0}\u{7F}\u{85}\u{2028}\u{2029}\u{1B}[2Jdone", "eve  [1] SHUTDOWN_PROGRAM", "ACK      [2Jdone"),
    ])
    func injectionsAreNeutralised(author: String, comment: String, safeAuthor: String, safeComment: String) throws {
        let line = try NagiosAcknowledger.commandLine(host: "web01", service: "HTTP", author: author, comment: comment, time: Self.time)
        #expect(line == "[1718000000] ACKNOWLEDGE_SVC_PROBLEM;web01;HTTP;2;1;1;\(safeAuthor);\(safeComment)\n")
        // One command: one newline, at the end; the fields Nagios splits on `;` are the eight expected.
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1 && line.hasSuffix("\n"))
        #expect(line.unicodeScalars.filter { $0 == ";" }.count == 7)
        #expect(!line.dropLast().unicodeScalars.contains { NagiosAcknowledger.isControl($0) })
    }

    @Test(arguments: [
        ("web01;x", "HTTP", "host"), ("web01\n[1] SHUTDOWN_PROGRAM", "HTTP", "host"), ("", "HTTP", "host"), ("web\u{0}01", nil, "host"),
        ("web01", "HTTP;2;1;1;x;y", "service"), ("web01", "HTTP\n[1] SHUTDOWN_PROGRAM", "service"), ("web01", "", "service"),
        ("web01", "HTTP\u{2028}", "service"),
    ] as [(String, String?, String)])
    func unsafeHostOrServiceIsRefusedAndNothingWritten(host: String, service: String?, field: String) throws {
        #expect(throws: NagiosAcknowledger.Refusal.unsafeName(field: field)) {
            try NagiosAcknowledger.commandLine(host: host, service: service, author: "alice", comment: "ACK", time: Self.time)
        }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("nagios.cmd", "")
        let outcome = Self.acknowledger(file).acknowledge(Self.request(host: host, service: service), timeout: .seconds(1))
        #expect(outcome == .failed(reason: NagiosAcknowledger.Refusal.unsafeName(field: field).description))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "")
    }

    @Test func aLineOverPIPEBUFIsRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("nagios.cmd", "")
        let fits = String(repeating: "x", count: 4096 - "[1718000000] ACKNOWLEDGE_SVC_PROBLEM;web01;HTTP;2;1;1;alice;\n".utf8.count)
        #expect(try NagiosAcknowledger.commandLine(host: "web01", service: "HTTP", author: "alice", comment: fits, time: Self.time).utf8.count == 4096)
        #expect(throws: NagiosAcknowledger.Refusal.tooLong(bytes: 4097)) {
            try NagiosAcknowledger.commandLine(host: "web01", service: "HTTP", author: "alice", comment: fits + "x", time: Self.time)
        }
        let outcome = Self.acknowledger(file).acknowledge(Self.request(comment: String(repeating: "é", count: 3000)), timeout: .seconds(1))
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("over the 4096"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "")
    }

    @Test func aRegularFileIsAppendedTo() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("nagios.cmd", "[1] EARLIER_COMMAND\n")
        let acknowledger = Self.acknowledger(file)
        let service = Self.request()
        let host = Self.request(service: nil, author: "bob", comment: "ACK looking")
        let before = Self.now()
        #expect(acknowledger.acknowledge(service, timeout: .seconds(1)) == .acknowledged(detail: "acknowledged in Nagios"))
        #expect(acknowledger.acknowledge(host, timeout: .seconds(1)) == .acknowledged(detail: "acknowledged in Nagios"))
        let after = Self.now()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        try #require(lines.count == 4, "\(lines)")
        #expect(lines[0] == "[1] EARLIER_COMMAND\n")
        #expect(try Self.expectedLines(service, from: before, to: after).contains(lines[1]), "\(lines[1])")
        #expect(try Self.expectedLines(host, from: before, to: after).contains(lines[2]), "\(lines[2])")
        #expect(lines[3] == "\n")  // the file ends with the last line's newline
    }

    @Test func aMissingFileIsNotCreated() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = scratch.path("rw/nagios.cmd")
        let outcome = Self.acknowledger(file).acknowledge(Self.request(), timeout: .seconds(1))
        #expect(outcome == .failed(reason: "cannot open \(file): No such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test func aFIFOWithoutAReaderFailsClearlyWithinTheTimeout() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let fifo = scratch.path("nagios.cmd")
        try #require(mkfifo(fifo, 0o600) == 0)
        let start = ContinuousClock.now
        let outcome = Self.acknowledger(fifo).acknowledge(Self.request(), timeout: .milliseconds(300))
        let elapsed = ContinuousClock.now - start
        #expect(outcome == .failed(reason: "Nagios is not running or check_external_commands=0 (nothing reads \(fifo))"))
        #expect(elapsed < .milliseconds(300) + .seconds(1), "took \(elapsed)")
        #expect(!outcome.isSettled)
    }

    @Test func aFIFOWithAReaderGetsTheLineInOnePiece() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let fifo = scratch.path("nagios.cmd")
        try #require(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        let request = Self.request(service: "HTTP check", comment: "ACK on it; DB too\nreally")
        let before = Self.now()
        #expect(Self.acknowledger(fifo).acknowledge(request, timeout: .seconds(1)) == .acknowledged(detail: "acknowledged in Nagios"))
        let after = Self.now()
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
        try #require(count > 0)
        let line = String(decoding: buffer[0..<count], as: UTF8.self)
        #expect(try Self.expectedLines(request, from: before, to: after).contains(line), "\(line)")
        #expect(line.hasSuffix(";2;1;1;alice;ACK on it, DB too really\n"))
    }

    @Test func aFullFIFOFailsWithinTheTimeoutWithoutWritingPart() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let fifo = scratch.path("nagios.cmd")
        try #require(mkfifo(fifo, 0o600) == 0)
        // A reader that never reads (a Nagios that hangs), and a pipe filled to the last byte.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        let filler = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(filler >= 0)
        defer { close(filler) }
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: 1)
        var filled = 0
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, 1) }) == 1 { filled += 1 }
        let start = ContinuousClock.now
        let outcome = Self.acknowledger(fifo).acknowledge(Self.request(), timeout: .milliseconds(300))
        let elapsed = ContinuousClock.now - start
        #expect(outcome == .failed(reason: "Nagios is not reading its command file \(fifo): it stayed full"))
        #expect(elapsed >= .milliseconds(250) && elapsed < .milliseconds(300) + .seconds(1), "took \(elapsed)")
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
        #expect(count == filled, "only the filler's bytes are in the FIFO")
    }

    @Test func aReaderGoneIsAnErrorNotASIGPIPE() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        let (written, code) = NagiosAcknowledger.writeWithoutSIGPIPE(fd: ends[1], Array("[1] X\n".utf8))
        #expect(written == -1 && code == EPIPE)
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0, "the SIGPIPE was taken off")
    }

    @Test func closeAndOtherSourcesAreNotSupportedAndWriteNothing() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("nagios.cmd", "")
        let acknowledger = Self.acknowledger(file)
        #expect(acknowledger.acknowledge(Self.request(close: true), timeout: .seconds(1))
                == .notSupported(detail: "Nagios cannot close a problem: reply ACK to acknowledge it"))
        for target in [AckTarget.icinga(host: "web01", service: "HTTP"), .alertmanager(matchers: [], externalURL: nil)] {
            let request = AckRequest(target: target, author: "alice", comment: "ACK")
            #expect(acknowledger.acknowledge(request, timeout: .seconds(1)) == .notSupported(detail: "not a Nagios alert"))
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "")
    }
}
