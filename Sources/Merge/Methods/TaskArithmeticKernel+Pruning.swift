import Base
import Compute
extension TaskArithmeticKernel {
    /// Keys of |x − b| (their Float32 bit patterns order like the values),
    /// or their complements to select the smallest.
    func magnitudeKeys(
        _ values: UnsafeBufferPointer<Float>, _ base: UnsafeBufferPointer<Float>, complement: Bool,
        into keys: UnsafeMutableBufferPointer<UInt32>, count: Int
    ) {
        let flip: UInt32 = complement ? 0xFFFF_FFFF : 0
        for index in 0..<count { keys[index] = abs(values[index] - base[index]).bitPattern ^ flip }
    }

    /// For keys of |x − b| (complemented with `complement`) made on the fly:
    /// counts those above `predicted` and counts those inside in `kept`. No
    /// key is stored and no histogram touched: the pass after a sample
    /// (`RankSelection.rangeBounds`). `groups` has room for count / 8
    /// entries.
    func countAbove(
        _ values: UnsafePointer<Float>, _ base: UnsafePointer<Float>, complement: Bool, count: Int,
        predicted: PredictedKeys, kept: KeyTally, groups: UnsafeMutablePointer<Int32>
    ) -> Int {
        let flip: UInt32 = complement ? 0xFFFF_FFFF : 0
        // Before the chunk's first piece has chosen a hot key: a key outside the range.
        let hot = kept.hotKey ?? (predicted.highest == .max ? predicted.lowest &- 1 : predicted.highest &+ 1)
        var (above, hotCount, groupCount) = VectorLoops.countAboveMarkingInside(
            values, base, flip: flip, lowest: predicted.lowest, highest: predicted.highest, hot: hot, count: count,
            groups: groups)
        func key(_ index: Int) -> UInt32 { abs(values[index] - base[index]).bitPattern ^ flip }
        for group in 0..<groupCount {
            let start = Int(groups[group])
            for index in start..<start + 8 where key(index) != hot { predicted.keep(key(index), in: kept) }
        }
        for index in count / 8 * 8..<count {
            let key = key(index)
            if key > predicted.highest {
                above += 1
            } else if key == hot && key >= predicted.lowest {
                hotCount += 1
            } else {
                predicted.keep(key, in: kept)
            }
        }
        // Before a hot key is chosen, `hot` is a key outside the range, or
        // (a range of every key) one whose count goes to the table.
        if kept.hotKey == nil { kept.add(hot, count: hotCount) } else { kept.addHot(hotCount) }
        kept.chooseHotKey()
        return above
    }

    /// For model `model`, 0 where its task vector is pruned in this chunk
    /// and the multiplier of a kept element elsewhere (1, or 1/p for DELLA).
    func keepMultipliers(_ model: Int, _ chunk: ChunkInput, into keep: UnsafeMutableBufferPointer<Float>) {
        let count = chunk.elementRange.count
        guard let base = chunk.base else { return }
        let values = chunk.models[model]
        switch sparsification {
        case .none:
            for index in 0..<count { keep[index] = 1 }
        case .random:
            let density = Float(densities[model])
            if density >= 1 { for index in 0..<count { keep[index] = 1 }; return }
            let random = randoms[model]
            let first = chunk.elementRange.lowerBound
            for index in 0..<count { keep[index] = random.uniform(first + index) < density ? 1 : 0 }
        case .magnitude, .breadcrumbs:
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, count)) { keys in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, count)) { mask in
                    let keyView = UnsafeBufferPointer(rebasing: keys[0..<count])
                    let maskView = UnsafeMutableBufferPointer(rebasing: mask[0..<count])
                    magnitudeKeys(values, base, complement: false, into: keys, count: count)
                    selections[model].select(keyView, chunkIndex: chunk.chunkIndex, into: maskView)
                    if sparsification == .magnitude {
                        for index in 0..<count { keep[index] = Float(maskView[index]) }
                        return
                    }
                    // Breadcrumbs: kept where neither the top nor the bottom cut took it.
                    for index in 0..<count { keep[index] = maskView[index] == 0 ? 1 : 0 }
                    magnitudeKeys(values, base, complement: true, into: keys, count: count)
                    selections[weights.count + model].select(keyView, chunkIndex: chunk.chunkIndex, into: maskView)
                    for index in 0..<count where maskView[index] != 0 { keep[index] = 0 }
                }
            }
        case .della:
            dellaKeep(model, chunk, into: keep)
        }
    }

    /// DELLA's magnitude-ranked sampling, row by row: in a row of n, the
    /// element of rank r (0 = smallest |δ|, ties by index) is kept with
    /// probability p = d − ε + 2ε·r/(n − 1). Rescaling, if on, is the L1
    /// ratio pass shared with the other sparsifiers.
    func dellaKeep(_ model: Int, _ chunk: ChunkInput, into keep: UnsafeMutableBufferPointer<Float>) {
        guard let base = chunk.base else { return }
        let values = chunk.models[model]
        let count = chunk.elementRange.count
        let rowLength = max(1, min(self.rowLength, count))
        let density = densities[model], epsilon = epsilons[model]
        if density >= 1 { for index in 0..<count { keep[index] = 1 }; return }
        let random = randoms[model]
        let first = chunk.elementRange.lowerBound
        // Rank by |δ| (a non-negative Float32 orders like its bits), ties by
        // index: a stable radix sort of the bits (high half) carrying the
        // offsets (low half). Exact zeros (a third of a real fine-tune's
        // bf16 deltas) rank first, in index order: they are listed, in the
        // sort's scratch before the sort needs it, not sorted.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * rowLength) { buffer in
            let entries = UnsafeMutableBufferPointer(rebasing: buffer[0..<rowLength])
            let scratch = UnsafeMutableBufferPointer(rebasing: buffer[rowLength..<2 * rowLength])
            withUnsafeTemporaryAllocation(of: Float.self, capacity: rowLength) { probabilities in
                // The keep probability of each rank, for rows of `tableLength`
                // (every row of a chunk but perhaps a shorter last).
                var tableLength = 0
                var rowStart = 0
                while rowStart < count {
                    let length = min(rowLength, count - rowStart)
                    if length != tableLength {
                        for rank in 0..<length {
                            let step = length > 1 ? 2 * epsilon * Double(rank) / Double(length - 1) : epsilon
                            probabilities[rank] = Float(min(1, max(0, density - epsilon + step)))
                        }
                        tableLength = length
                    }
                    // Both lists written at every offset, each advanced by its
                    // own count: no branch on which one the element joins.
                    var nonzeroCount = 0, zeroCount = 0
                    for offset in 0..<length {
                        let key = abs(values[rowStart &+ offset] - base[rowStart &+ offset]).bitPattern
                        entries[nonzeroCount] = UInt64(key) << 32 | UInt64(truncatingIfNeeded: offset)
                        scratch[zeroCount] = UInt64(truncatingIfNeeded: offset)
                        let isZero = key == 0 ? 1 : 0
                        nonzeroCount &+= 1 &- isZero
                        zeroCount &+= isZero
                    }
                    for rank in 0..<zeroCount {
                        let index = rowStart &+ Int(truncatingIfNeeded: scratch[rank])
                        keep[index] = random.uniform(first &+ index) < probabilities[rank] ? 1 : 0
                    }
                    RadixSort.sortByHighHalf(
                        UnsafeMutableBufferPointer(rebasing: entries[0..<nonzeroCount]), scratch: scratch)
                    for position in 0..<nonzeroCount {
                        let index = rowStart &+ Int(truncatingIfNeeded: entries[position] & 0xFFFF_FFFF)
                        keep[index] = random.uniform(first &+ index) < probabilities[zeroCount &+ position] ? 1 : 0
                    }
                    rowStart += length
                }
            }
        }
    }

    /// Mixes the weighted, pruned task vectors `contributions` (model-major)
    /// into `output`: with sign election, Σ of the contributions that agree
    /// with the sign of their sum over Σ of their weights; without, Σ over
    /// Σ wᵢ; then times λ plus the base.
    func mix(
        _ contributions: UnsafeMutableBufferPointer<Float>, base: UnsafeBufferPointer<Float>, count: Int,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        let modelCount = weights.count
        let total = weights.reduce(0, +)
        let fixedDivisor = normalizes && abs(total) >= 1e-8 ? total : 1
        // Model-outer loops over cache-sized blocks, with selects instead
        // of branches, so every loop vectorises; each element still adds
        // its models in order, so the roundings are those of the plain loop.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * 1024) { scratch in
            let sums = UnsafeMutableBufferPointer(rebasing: scratch[0..<1024])
            let divisors = UnsafeMutableBufferPointer(rebasing: scratch[1024..<2048])
            var start = 0
            while start < count {
                let length = min(1024, count - start)
                for offset in 0..<length { sums[offset] = 0 }
                for model in 0..<modelCount {
                    let row = contributions.baseAddress! + model * count + start  // checked: contributions holds modelCount × count
                    for offset in 0..<length { sums[offset] += row[offset] }
                }
                if electsSign {
                    // Pointer fills, not `output[start + offset]`: the index sum's
                    // overflow check kept that loop scalar (22% of a TIES merge).
                    (output.baseAddress! + start).update(repeating: 0, count: length)  // checked: start < count
                    divisors.baseAddress!.update(repeating: 0, count: length)  // checked: scratch is non-empty
                    for model in 0..<modelCount {
                        let row = contributions.baseAddress! + model * count + start  // checked: as above
                        electSigns(
                            row, sums: sums.baseAddress!, weight: weights[model], kept: output.baseAddress! + start,
                            divisors: divisors.baseAddress!, length: length)  // checked: non-empty buffers
                    }
                    finishElected(
                        kept: output.baseAddress! + start, divisors: divisors.baseAddress!,
                        base: base.baseAddress! + start, length: length)  // checked: non-empty buffers
                } else {
                    let mixed = output.baseAddress! + start, baseValues = base.baseAddress! + start  // checked: start < count
                    for offset in 0..<length {
                        mixed[offset] = baseValues[offset] + lambda * (sums[offset] / fixedDivisor)
                    }
                }
                start += length
            }
        }
    }

    /// b + λ·(kept / divisor), a zero divisor taken as 1 (the division only
    /// with `normalize`), in place of `kept`, eight lanes at a time.
    @inline(__always)
    func finishElected(
        kept: UnsafeMutablePointer<Float>, divisors: UnsafePointer<Float>, base: UnsafePointer<Float>, length: Int
    ) {
        typealias Lanes = SIMD8<Float>
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0), lambdas = Lanes(repeating: lambda)
        var offset = 0
        while offset + 8 <= length {
            var mixed = UnsafeRawPointer(kept + offset).loadUnaligned(as: Lanes.self)
            if normalizes {
                let divisor = UnsafeRawPointer(divisors + offset).loadUnaligned(as: Lanes.self)
                mixed = mixed / divisor.replacing(with: one, where: divisor .== zero)
            }
            let result = UnsafeRawPointer(base + offset).loadUnaligned(as: Lanes.self) + lambdas * mixed
            UnsafeMutableRawPointer(kept + offset).storeBytes(of: result, as: Lanes.self)
            offset += 8
        }
        while offset < length {
            let mixed = normalizes ? kept[offset] / (divisors[offset] == 0 ? 1 : divisors[offset]) : kept[offset]
            kept[offset] = base[offset] + lambda * mixed
            offset += 1
        }
    }
}
