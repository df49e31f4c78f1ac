/// Removes an API key from text that came from elsewhere (a reply that echoes the request, a
/// libcurl message), before the text is cut to size: cutting first could leave most of the key
/// behind, with only its end removed.
///
/// Any run of at least ``minimumRun`` bytes that also occurs in the key is replaced by
/// `<redacted>`, so a key cut in the middle, or spliced into other text, is caught as well as
/// the whole key. A key shorter than that is matched whole.
struct KeyRedactor: Sendable {
    /// The shortest run of the key that is recognised (8 bytes: a chance match of random
    /// reply text against a 40-character key is then negligible).
    static let minimumRun = 8

    private let key: [UInt8]
    /// Every `minimumRun`-byte window of the key, packed into an integer.
    private let windows: Set<UInt64>

    init(key: String) {
        self.key = Array(key.utf8)
        var windows = Set<UInt64>()
        if self.key.count >= Self.minimumRun {
            for start in 0...(self.key.count - Self.minimumRun) {
                windows.insert(Self.pack(self.key[start..<(start + Self.minimumRun)]))
            }
        }
        self.windows = windows
    }

    /// `text` with every run of the key replaced by `<redacted>`, then cut to at most `limit`
    /// characters (`...` marking the cut). The whole text is scanned (a reply is at most
    /// 1 MiB): a character can be any number of bytes, so no byte offset bounds what the cut keeps.
    func redact(_ text: String, limit: Int? = nil) -> String {
        guard !key.isEmpty else { return cut(text, limit) }
        return cut(String(decoding: redact(Array(text.utf8)), as: UTF8.self), limit)
    }

    func redact(_ bytes: [UInt8]) -> [UInt8] {
        guard !key.isEmpty, bytes.count >= min(key.count, Self.minimumRun) else { return bytes }
        var secret = [Bool](repeating: false, count: bytes.count)
        var found = false
        if key.count < Self.minimumRun {
            var start = 0
            while start + key.count <= bytes.count {
                if bytes[start..<(start + key.count)].elementsEqual(key) {
                    for index in start..<(start + key.count) { secret[index] = true }
                    found = true
                }
                start += 1
            }
        } else {
            for start in 0...(bytes.count - Self.minimumRun) where windows.contains(Self.pack(bytes[start..<(start + Self.minimumRun)])) {
                for index in start..<(start + Self.minimumRun) { secret[index] = true }
                found = true
            }
        }
        guard found else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if secret[index] {
                out += Array(APIKey.redacted.utf8)
                while index < bytes.count && secret[index] { index += 1 }
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    private func cut(_ text: String, _ limit: Int?) -> String {
        guard let limit, text.count > limit else { return text }
        return String(text.prefix(limit)) + "..."
    }

    private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
