/// FNV-1a, 64 bits: a stable, dependency-free hash for dedup keys derived from several values
/// (Swift's `Hasher` is seeded per process, so it cannot be stored).
public enum StableHash {
    /// The hash of `text`'s UTF-8 bytes, as 16 lowercase hex digits.
    public static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
