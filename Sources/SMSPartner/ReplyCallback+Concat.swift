extension ReplyCallback {
    /// Which part of a long reply one request carries: SMSPartner sends a reply longer than one
    /// SMS as several requests with the same ``ref``, numbered 1 to ``total``.
    public struct Concat: Sendable, Equatable {
        /// The most parts a long reply has (the limit of concatenated SMS).
        public static let maxParts = 255

        /// The reference shared by the parts of one reply (`concat-ref`).
        public var ref: String
        /// How many parts the reply has (`concat-total`), 1 to ``maxParts``.
        public var total: Int
        /// Which part this is (`concat-part`), 1 to ``total``.
        public var part: Int

        public init(ref: String, total: Int, part: Int) {
            self.ref = ref
            self.total = total
            self.part = part
        }

        /// The parts fields: nil when neither `concat` is true nor any `concat-…` field is
        /// present; a failure when present but incomplete or out of range.
        static func read(_ fields: CallbackFields) -> Result<Concat?, ReplyCallbackError> {
            let ref = fields.first(["concat-ref"])
            let total = fields.first(["concat-total"])
            let part = fields.first(["concat-part"])
            guard fields.flag(["concat"]) == true || ref != nil || total != nil || part != nil else { return .success(nil) }
            guard let ref else { return .failure(.invalidConcat("no concat-ref")) }
            guard let total, let count = Int(total), (1...maxParts).contains(count) else {
                return .failure(.invalidConcat("concat-total is not a number from 1 to \(maxParts)"))
            }
            guard let part, let index = Int(part), (1...count).contains(index) else {
                return .failure(.invalidConcat("concat-part is not a number from 1 to concat-total"))
            }
            return .success(Concat(ref: ref, total: count, part: index))
        }
    }
}
