import Foundation
import Testing

/// A folder of the package's source tree whose files the tests read by name (a name is
/// relative to the folder and may hold `/`, e.g. `alertmanager/firing.json`): fixtures,
/// expected outputs, `contrib/` files.
public struct FixtureDirectory: Sendable {
    /// The whole source tree (the folder of `Package.swift`).
    public static let sourceTree = FixtureDirectory(
        url: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())

    /// The decoders' input payloads, `Tests/AlertModelTests/Fixtures` (the Nagios and Icinga 2
    /// environments, the Alertmanager webhooks), which the end-to-end tests feed to the binary too.
    public static let decoders = FixtureDirectory("Tests/AlertModelTests/Fixtures")

    /// Kube-prometheus Alertmanager payloads and their expected SMS, `Tests/NotifyCoreTests/Fixtures/kubernetes`.
    public static let kubernetes = FixtureDirectory("Tests/NotifyCoreTests/Fixtures/kubernetes")

    /// The end-to-end tests' inputs and expected outputs, `Tests/EndToEndTests/Fixtures`.
    public static let endToEnd = FixtureDirectory("Tests/EndToEndTests/Fixtures")

    /// Whether expected files are rewritten from the actual output instead of compared
    /// (`SMSPARTNER_E2E_RECORD=1`; review the diff before committing).
    public static let recording = ProcessInfo.processInfo.environment["SMSPARTNER_E2E_RECORD"] == "1"

    /// The folder.
    public let url: URL

    /// The folder `path` of the source tree.
    public init(_ path: String) {
        self.init(url: Self.sourceTree.url(path))
    }

    private init(url: URL) {
        self.url = url
    }

    /// The file `name`.
    public func url(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// The file's bytes.
    public func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    /// The file's text (invalid UTF-8 repaired).
    public func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// An environment file, read with ``environment(parsing:)``.
    public func environment(_ name: String) throws -> [String: String] {
        Self.environment(parsing: try text(name))
    }

    /// One `NAME=value` per line; `\n` in a value stands for a newline; lines starting with `#`
    /// and lines without `=` are skipped.
    private static func environment(parsing text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = line[line.index(after: equals)...].replacingOccurrences(of: "\\n", with: "\n")
        }
        return result
    }

    /// The files of the subfolder `folder` (hidden ones left out), sorted, as `folder/NAME`;
    /// without a `folder`, those of this folder, as `NAME`.
    public func names(in folder: String? = nil) throws -> [String] {
        let prefix = folder.map { $0 + "/" } ?? ""
        return try FileManager.default.contentsOfDirectory(atPath: url(prefix).path)
            .filter { !$0.hasPrefix(".") }.sorted().map { prefix + $0 }
    }

    /// Compares `actual` with the expected file `name`, exactly, and records an issue with
    /// their difference; while ``recording``, writes `actual` there instead.
    public func expectMatches(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = url(name)
        if Self.recording {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if expected != actual {
            Issue.record(
                Comment(rawValue: Self.difference(expected: expected, actual: actual, name: file.path)),
                sourceLocation: sourceLocation)
        }
    }

    /// A unified-diff-like description: the first differing line and both texts with line numbers.
    public static func difference(expected: String, actual: String, name: String) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lines = ["output differs from \(name) (rerun with SMSPARTNER_E2E_RECORD=1 to rewrite it):"]
        let first = zip(e, a).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(e.count, a.count)
        lines.append("first difference at line \(first + 1):")
        for index in 0..<max(e.count, a.count) {
            let expectedLine = index < e.count ? e[index] : nil
            let actualLine = index < a.count ? a[index] : nil
            if expectedLine == actualLine {
                lines.append("  \(expectedLine ?? "")")
            } else {
                if let expectedLine { lines.append("- \(expectedLine)") }
                if let actualLine { lines.append("+ \(actualLine)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
