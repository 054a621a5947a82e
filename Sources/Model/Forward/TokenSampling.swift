import Base
import Compute
import Foundation

/// Draws of next tokens from the teacher's distribution at a temperature
/// (random-sampling distillation, arXiv 2503.16870): `count` independent
/// draws per position, with replacement, from softmax(logits / T).
/// Deterministic: every random number is a function of the seed, the
/// record's tokens, the position and the draw, never of the batch, the
/// shard or the thread count.
public struct TokenSampling: Sendable, Equatable {
    public let count: Int
    public let temperature: Double
    public let seed: UInt64

    public init(count: Int, temperature: Double, seed: UInt64) {
        self.count = count
        self.temperature = temperature
        self.seed = seed
    }
}

/// One position's draws: the distinct ids drawn (ascending), how often each
/// was, and each one's log-probability under the teacher at temperature 1.
public struct TokenDraws: Sendable, Equatable {
    public var ids: [Int32]
    public var counts: [UInt16]
    public var logProbabilities: [Double]
}

/// The draws of every row of a batch over one chunk of the vocabulary, a
/// weighted reservoir per draw (exponential jumps: a draw holding the
/// running weight W moves to the element at which the running weight
/// first reaches W / u, u uniform in (0, 1), so element i ends up held
/// with probability w_i / Σw). Weights are e^((logit − m) / T) for the
/// chunk's running maximum m; when m grows, W and the thresholds are
/// rescaled with it. A block whose weight cannot reach the smallest
/// threshold is skipped whole.
final class DrawState: @unchecked Sendable {
    // @unchecked: as VocabularyState, each row is updated by one worker
    // at a time; storage is raw memory.
    let sampling: TokenSampling
    let rowCount: Int
    let chunk: Int
    /// Per row: the random key of its record and position.
    let keys: [UInt64]
    /// Per row: the running weight.
    let weights: UnsafeMutablePointer<Double>
    /// Per row × draw: the threshold, the id held, its logit, the jumps made.
    let thresholds: UnsafeMutablePointer<Double>
    let ids: UnsafeMutablePointer<Int32>
    let logits: UnsafeMutablePointer<Float>
    let jumps: UnsafeMutablePointer<UInt32>

    init(sampling: TokenSampling, keys: [UInt64], chunk: Int) {
        self.sampling = sampling
        self.keys = keys
        self.chunk = chunk
        rowCount = keys.count
        let entries = max(1, rowCount * sampling.count)
        weights = .allocate(capacity: max(1, rowCount))
        weights.initialize(repeating: 0, count: max(1, rowCount))
        thresholds = .allocate(capacity: entries)
        thresholds.initialize(repeating: 0, count: entries)
        ids = .allocate(capacity: entries)
        ids.initialize(repeating: -1, count: entries)
        logits = .allocate(capacity: entries)
        logits.initialize(repeating: -.infinity, count: entries)
        jumps = .allocate(capacity: entries)
        jumps.initialize(repeating: 0, count: entries)
    }

    deinit {
        weights.deallocate()
        thresholds.deallocate()
        ids.deallocate()
        logits.deallocate()
        jumps.deallocate()
    }

    /// Bytes each row holds per chunk.
    static func bytesPerRow(count: Int) -> Int { 8 + count * 20 }

    /// The random keys of a batch's rows: one per (record tokens, position).
    static func keys(records: [[Int]], seed: UInt64) -> [UInt64] {
        records.flatMap { ids -> [UInt64] in
            let record = ids.withUnsafeBytes { XXH3.digest($0) }
            return ids.indices.map { mix(seed ^ mix(record &+ UInt64($0))) }
        }
    }

    /// A uniform in (0, 1) for `key` and the counters `a`, `b`, `c`.
    static func uniform(_ key: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) -> Double {
        let bits = mix(key ^ mix(a ^ mix(b ^ mix(c))))
        return (Double(bits >> 11) + 0.5) / 9_007_199_254_740_992
    }

    /// SplitMix64's finaliser.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Rescales row `row` when its maximum rises by `drop` (old − new ≤ 0).
    func rescale(row: Int, drop: Float) {
        let factor = Foundation.exp(Double(drop) / sampling.temperature)
        weights[row] *= factor
        for draw in 0..<sampling.count { thresholds[row * sampling.count + draw] *= factor }
    }

    /// Folds one block of logits of row `row` (shifted by `maximum`, whose
    /// weight sum is `blockWeight`) into its draws.
    func fold(
        row: Int, line: UnsafePointer<Float>, count: Int, maximum: Float, blockWeight: Double, vocabularyStart: Int
    ) {
        let n = sampling.count
        let base = row * n
        var smallest = Double.infinity
        for draw in 0..<n { smallest = min(smallest, thresholds[base + draw]) }
        let start = weights[row]
        weights[row] = start + blockWeight
        guard start + blockWeight >= smallest else { return }
        let scale = Float(1 / sampling.temperature)
        // The block's weights with the vector exponential of its sums.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { weights in
            // checked: a block has at least one row, so the allocation has a base
            let base = weights.baseAddress!
            for column in 0..<count { base[column] = (line[column] - maximum) * scale }
            _ = VectorExponential.exponentiate(base, count: count, shift: 0)
            walk(
                row: row, line: line, weights: base, count: count, running: start, smallest: smallest,
                vocabularyStart: vocabularyStart)
        }
    }

    /// Moves the draws of `row` whose thresholds the running weight reaches
    /// within the block.
    private func walk(
        row: Int, line: UnsafePointer<Float>, weights: UnsafePointer<Float>, count: Int, running start: Double,
        smallest first: Double, vocabularyStart: Int
    ) {
        let n = sampling.count
        let base = row * n
        var running = start
        var smallest = first
        for column in 0..<count {
            running += Double(weights[column])
            guard running >= smallest else { continue }
            smallest = .infinity
            for draw in 0..<n {
                let slot = base + draw
                while running >= thresholds[slot] {
                    ids[slot] = Int32(vocabularyStart + column)
                    logits[slot] = line[column]
                    jumps[slot] += 1
                    let u = Self.uniform(keys[row], UInt64(draw), UInt64(chunk), UInt64(jumps[slot]))
                    thresholds[slot] = running / u
                }
                smallest = min(smallest, thresholds[slot])
            }
        }
    }

    /// Each row's draws over the whole vocabulary: draw j takes chunk c's
    /// draw j with probability proportional to the chunk's weight.
    static func combine(
        _ chunks: [DrawState], maxima: [UnsafeMutablePointer<Float>], logSumExps: (Int) -> Double
    ) -> [TokenDraws] {
        // checked: the projection always has at least one chunk
        let first = chunks[0]
        let n = first.sampling.count
        let temperature = first.sampling.temperature
        return (0..<first.rowCount).map { row in
            var maximum = -Float.infinity
            for chunk in chunks.indices { maximum = max(maximum, maxima[chunk][row]) }
            var cumulative: [Double] = []
            var total = 0.0
            for (index, chunk) in chunks.enumerated() {
                let m = maxima[index][row]
                total += m == -.infinity ? 0 : chunk.weights[row] * Foundation.exp(Double(m - maximum) / temperature)
                cumulative.append(total)
            }
            var counts: [Int32: (count: UInt16, logit: Float)] = [:]
            for draw in 0..<n {
                let target = uniform(first.keys[row], UInt64(draw), UInt64.max, 0) * total
                let chunk = cumulative.firstIndex { $0 > target } ?? (chunks.count - 1)
                let slot = row * n + draw
                let id = chunks[chunk].ids[slot]
                counts[id, default: (0, chunks[chunk].logits[slot])].count += 1
            }
            let ids = counts.keys.sorted()
            let lse = logSumExps(row)
            return TokenDraws(
                ids: ids, counts: ids.map { counts[$0]?.count ?? 0 },
                logProbabilities: ids.map { Double(counts[$0]?.logit ?? -.infinity) - lse })
        }
    }
}
