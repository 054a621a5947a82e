import Model

/// The bytes of one logit-cache record (DESIGN.md, "Logit cache"): the
/// teacher's tokens, the loss mask, and per position the top-K ids with
/// their log-probabilities, the gold token's log-probability and the
/// log-sum-exp. A pure function of its inputs: integer arithmetic only,
/// nothing depends on the machine, thread count or hashing.
///
/// Every value is quantised to a multiple of 1/512 nat (`Quantisation`),
/// so each decoded value is within `maximumError` (1/1024) of the exact
/// one; log-probabilities below −32,768 are stored as −32,768.
///
/// | bytes        | field                                                          |
/// |--------------|----------------------------------------------------------------|
/// | `0`          | kind, u8 = 1 (top-K; 2 is `LogitCodec.encodeSampled`)          |
/// | LEB128       | n, the token count, 1 ... 2^20                                 |
/// | LEB128       | K, entries per position, 0 ... 4096, n × K ≤ 2^25              |
/// | LEB128       | R, bytes of the rANS section                                   |
/// | R bytes      | rANS section: the initial state (u32), then the stream's bytes |
/// | to the end   | bit section, least significant bit first: 12 frequency tables, then the raw bits |
///
/// The symbols, in order, each in one of 12 contexts with its own table
/// (`FrequencyTable`, sent at the start of the bit section):
///
/// 1. Loss mask: its first flag as a raw bit, then run lengths − 1 (context 11).
/// 2. `ids[0]` as a token id (`TokenIDCoding`, context 9).
/// 3. For each position i: the K top ids, best first (contexts 0, 1, 1, 2, 2, ...
///    by rank); the top log-probabilities as steps below 0 (`−lp × 512`),
///    the first as itself (context 3), the rest as gaps from the one before
///    (contexts 4, 5, 5, 5, 6, ...: the list is sorted, so gaps are ≥ 0);
///    the log-sum-exp's steps as a zigzag delta from position i − 1's
///    (context 7); and below the last position the gold token `ids[i + 1]`:
///    its rank r in the top-K as r + 1 (context 8) when it is there with
///    the same quantised value, else 0, the id (context 9) and its steps as
///    a zigzag delta from those of the last top-K entry (context 10).
///
/// Numbers are `ValueBucket` symbols followed by their raw bits. Ids use
/// a move-to-front list of the record's latest ids, at most
/// min(4096, max(256, 24K)) of them (`RecencyList`).
/// The decoder checks every count against the bytes before allocating,
/// every id against the vocabulary, and that both sections end exactly.
public enum LogitCodec {
    /// The largest difference between a decoded value and the encoded one.
    public static let maximumError: Double = 1.0 / 1024
    /// The most tokens one record holds (2^20).
    public static let maximumTokenCount = 1 << 20
    /// The largest K.
    public static let maximumTopK = 4096
    /// The most entries (n × K, or all sampled entries) one record holds:
    /// 2^25, so no payload makes the decoder allocate more than about 300 MB.
    public static let maximumEntryCount = 1 << 25

    static let topKKind: UInt8 = 1
    static let topKContextCount = 12

    /// Contexts of the top-K kind.
    enum Context {
        static let logProbabilityFirst = 3
        static let logSumExp = 7
        static let goldRank = 8
        static let otherID = 9
        static let goldValue = 10
        static let lossMask = 11

        /// Context of the top id at `rank`.
        @inline(__always)
        static func id(rank: Int) -> Int { rank == 0 ? 0 : rank < 3 ? 1 : 2 }
        /// Context of the log-probability gap at `rank` ≥ 1.
        @inline(__always)
        static func gap(rank: Int) -> Int { rank == 1 ? 4 : rank < 5 ? 5 : 6 }
    }

    /// The bytes of one record's `scores` and `lossMask` (`scores.ids.count − 1`
    /// flags). Throws `LogitCacheError.unencodable` when the counts do not
    /// agree, an id is outside `0..<vocabularySize`, a top-K row is not
    /// best first, or a value is NaN, a log-probability above 0 or a
    /// log-sum-exp beyond ±32,768.
    public static func encode(
        _ scores: TokenScores, lossMask: [Bool], vocabularySize: Int
    ) throws(LogitCacheError) -> [UInt8] {
        let n = scores.ids.count, topK = scores.topK
        let values = try ScoreSteps(scores, lossMask: lossMask, vocabularySize: vocabularySize)
        var stream = SymbolStreamWriter(contextCount: topKContextCount)
        RecordPreamble.writeMask(lossMask, context: Context.lossMask, to: &stream)
        RecencyList.with(capacity: RecencyList.capacity(topK: topK)) { (recency: inout RecencyList) in
            stream.id(Int32(scores.ids[0]), context: Context.otherID, recency: &recency)
            var previousLogSumExp: Int32 = 0
            for position in 0..<n {
                let row = position * topK
                for rank in 0..<topK {
                    stream.id(scores.topIDs[row + rank], context: Context.id(rank: rank), recency: &recency)
                }
                for rank in 0..<topK {
                    let steps = values.top[row + rank]
                    if rank == 0 {
                        stream.value(steps, context: Context.logProbabilityFirst)
                    } else {
                        stream.value(steps - values.top[row + rank - 1], context: Context.gap(rank: rank))
                    }
                }
                let logSumExp = values.logSumExps[position]
                stream.value(
                    RecordPreamble.logSumExpDelta(logSumExp, previous: previousLogSumExp), context: Context.logSumExp)
                previousLogSumExp = logSumExp
                guard position + 1 < n else { continue }
                let gold = Int32(scores.ids[position + 1]), goldSteps = values.gold[position]
                if let rank = (0..<topK).first(where: {
                    scores.topIDs[row + $0] == gold && values.top[row + $0] == goldSteps
                }) {
                    stream.value(UInt32(rank + 1), context: Context.goldRank)
                } else {
                    stream.value(0, context: Context.goldRank)
                    stream.id(gold, context: Context.otherID, recency: &recency)
                    let reference = topK == 0 ? 0 : Int64(values.top[row + topK - 1])
                    let delta = Int32(Int64(goldSteps) - reference)  // checked: both within 0...2^24
                    stream.value(ValueBucket.zigzag(delta), context: Context.goldValue)
                }
            }
        }
        let (rans, bits) = stream.finish()
        return PayloadSections.assemble(
            kind: topKKind, counts: [UInt32(n), UInt32(topK)], rans: rans, bits: bits)  // checked: limits above
    }
}
