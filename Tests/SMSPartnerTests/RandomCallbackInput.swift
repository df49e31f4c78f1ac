import SeededRandom

/// Random requests to a callback URL, for the seeded fuzz tests of ``DeliveryCallback`` and
/// ``ReplyCallback``: random bytes, random JSON and random forms built from `names` and
/// `values`, plus what `extra` makes, under every content type.
struct RandomCallbackInput {
    /// The field names drawn (each reader's own, and a stranger).
    let names: [String]
    /// The values drawn: the readable ones, and escapes, quotes, brackets and controls.
    let values: [String]
    /// A body of a kind of its own, made one round in four when set.
    var extra: ((inout SplitMix64) -> String)?

    static let contentTypes: [String?] = [nil, "application/json", "application/x-www-form-urlencoded", "text/plain", "application/vnd+json; q=1", ""]

    /// The request of round `round`: the kind of body turns with the round.
    func request(round: Int, using random: inout SplitMix64) -> (query: String?, body: [UInt8], contentType: String?) {
        let body: [UInt8]
        switch round % (extra == nil ? 3 : 4) {
        case 0: body = (0..<Int.random(in: 0...400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1: body = Array(json(depth: 0, using: &random).utf8)
        case 2: body = Array(form(using: &random).utf8)
        default: body = Array((extra?(&random) ?? "").utf8)
        }
        let query = Bool.random(using: &random) ? form(using: &random) : nil
        return (query, body, Self.contentTypes[Int.random(in: 0..<Self.contentTypes.count, using: &random)])
    }

    /// One of ``values``.
    func value(using random: inout SplitMix64) -> String {
        values[Int.random(in: 0..<values.count, using: &random)]
    }

    /// Up to 8 pairs, some without `=`, joined by `&` or `&&`.
    func form(using random: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...8, using: &random)).map { _ in
            let name = names[Int.random(in: 0..<names.count, using: &random)]
            let value = value(using: &random)
            return Bool.random(using: &random) ? name + "=" + value : name
        }.joined(separator: Bool.random(using: &random) ? "&" : "&&")
    }

    /// A JSON value, objects and arrays nested up to 40 levels and then some, with broken tokens.
    func json(depth: Int, using random: inout SplitMix64) -> String {
        let choice = depth > 40 ? Int.random(in: 0...2, using: &random) : Int.random(in: 0...5, using: &random)
        switch choice {
        case 0: return "\"" + value(using: &random) + "\""
        case 1: return String(Int.random(in: -1_000_000...1_000_000_000_000, using: &random))
        case 2: return ["true", "false", "null", "1e999", "-0.5", "{", "]"][Int.random(in: 0...6, using: &random)]
        case 3: return "[" + (0..<Int.random(in: 0...2, using: &random)).map { _ in json(depth: depth + 1, using: &random) }.joined(separator: ",") + "]"
        default:
            let members = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                "\"" + names[Int.random(in: 0..<names.count, using: &random)] + "\":" + json(depth: depth + 1, using: &random)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }
}
