import Foundation

/// Real payload files under `Tests/AlertModelTests/Fixtures`, read from the source tree.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The file's bytes; `name` is relative to `Fixtures/` (e.g. `alertmanager/firing.json`).
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The file's text.
    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// An environment file: one `NAME=value` per line; `\n` in a value stands for a newline;
    /// blank lines and lines starting with `#` are skipped.
    static func environment(_ name: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for line in try text(name).split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let value = line[line.index(after: equals)...].replacingOccurrences(of: "\\n", with: "\n")
            result[String(line[..<equals])] = value
        }
        return result
    }

    /// Every fixture file under a folder, sorted by name.
    static func names(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)
            .filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }
}
