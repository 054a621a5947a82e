import Tokenize

/// A data record ready for the forward pass: its token ids and which
/// next-token predictions count toward its loss. What `smelt score` and
/// `smelt evolve` score, and how both add up a record's loss.
public struct RecordTokens: Sendable {
    public let ids: [Int]
    /// n − 1 flags: whether position i (predicting token i + 1) counts.
    public let lossMask: [Bool]

    /// Refuses a record of fewer than two tokens or more than `maxTokens`.
    public init(_ record: DataRecord, _ encoding: RecordEncoding, maxTokens: Int) throws(ModelError) {
        let ids = encoding.encoding.ids.map { Int($0) }
        let name = "\(record.id.rendered()) (\(record.file):\(record.line))"
        guard ids.count >= 2 else { throw ModelError.emptyRecord(record: name, tokens: ids.count) }
        guard ids.count <= maxTokens else {
            throw ModelError.recordTooLong(record: name, tokens: ids.count, limit: maxTokens)
        }
        self.ids = ids
        lossMask = encoding.lossMask.map { Array($0.dropFirst()) } ?? Array(repeating: true, count: ids.count - 1)
    }

    /// Tokens from elsewhere: `lossMask` has one flag per position but the last.
    public init(ids: [Int], lossMask: [Bool]) {
        self.ids = ids
        self.lossMask = lossMask
    }

    public var lossCount: Int { lossMask.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// −Σ log p(gold) over the loss positions of `scores`, in position order.
    public func negativeLogLikelihood(_ scores: TokenScores) -> Double {
        var sum = 0.0
        for (position, counts) in lossMask.enumerated() where counts {
            sum -= scores.goldLogProbabilities[position]
        }
        return sum
    }
}
