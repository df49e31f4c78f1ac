/// The bytes of one output stream of `run`'s command that are kept: the first ones (a
/// plugin's first line) and the last ``capacity`` (the last meaningful line), whatever the
/// command writes in between.
struct OutputTail: Sendable {
    /// How many of the last bytes are kept: 64 KiB.
    static let capacity = 64 * 1024
    /// How many of the first bytes are kept.
    static let headCapacity = 4 * 1024

    private(set) var head: [UInt8] = []
    private(set) var tail: [UInt8] = []
    /// Every byte seen, kept or not.
    private(set) var total = 0

    mutating func append(_ bytes: some Collection<UInt8>) {
        total += bytes.count
        if head.count < Self.headCapacity {
            head += bytes.prefix(Self.headCapacity - head.count)
        }
        tail += bytes
        if tail.count > Self.capacity {
            tail.removeFirst(tail.count - Self.capacity)
        }
    }
}
