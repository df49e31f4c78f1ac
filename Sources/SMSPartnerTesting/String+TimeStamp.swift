extension String {
    /// The text without the `[14:02] ` an SMS starts with when it leaves more than a minute
    /// after it happened (it waited in the outbox); the text itself otherwise.
    public var withoutTimeStamp: String {
        let chars = Array(utf8.prefix(8))
        guard chars.count == 8, chars[0] == UInt8(ascii: "["), chars[3] == UInt8(ascii: ":"), chars[6] == UInt8(ascii: "]"),
              chars[7] == UInt8(ascii: " "),
              [1, 2, 4, 5].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(chars[$0]) })
        else { return self }
        return String(decoding: utf8.dropFirst(8), as: UTF8.self)
    }
}
