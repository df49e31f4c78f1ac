/// Secrets kept in files of their own (a password, a token), and how they are compared.
public enum SecretFile {
    /// The secret in the file at `path`, without surrounding whitespace (at most 4 KiB).
    public static func read(_ path: String) throws(ConfigurationError) -> String {
        let text: String
        do {
            text = try FileReader.read(path: path, limit: 4096)
        } catch {
            throw .unreadableSecretFile(path: path, reason: "\(error)")
        }
        let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\n" || c == "\r" }
        let trimmed = String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
        guard !trimmed.isEmpty else { throw .unreadableSecretFile(path: path, reason: "empty") }
        return trimmed
    }

    /// Compares without stopping at the first difference, so the time taken says nothing
    /// about how much of a guess was right.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
