import Foundation

/// A fresh directory under the system's temporary directory (`PREFIX-UUID`), removed by
/// ``remove()``.
public struct TemporaryDirectory: Sendable {
    /// The directory's path.
    public let root: String

    public init(prefix: String = "smspartner") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        root = url.path
    }

    /// The path of `name` (which may hold `/`) in the directory.
    public func path(_ name: String) -> String { root + "/" + name }

    /// Creates the directory `name` (and its parents); its path.
    public func makeDirectory(_ name: String) throws -> String {
        let path = path(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes the file `name`; its path.
    @discardableResult
    public func write(_ name: String, _ data: Data) throws -> String {
        let path = path(name)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes `text` in UTF-8 to the file `name`; its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    /// The permission bits of `name`.
    public func mode(_ name: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path(name))
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
