import Base
import Compute
import Foundation

extension TrainingPass {
    /// The final norm and the loss head over the loss positions' rows of
    /// `final`: the losses (sums over them divided by `positionCount`) and
    /// the gradient of every row of `final`; the final norm's and the
    /// head's gradients go to `sink` (nil: frozen).
    ///
    /// The positions go `headRowCount` at a time against the whole
    /// vocabulary (a block of positions, never all of them): their logits
    /// once, in vocabulary tiles that run in parallel; each row's
    /// log-sum-exp from the tiles' partial sums in tile order; then the
    /// logits become the loss's gradient in place, and the head's and the
    /// rows' gradients follow from two products.
    func lossGradient(
        _ head: LossHead, final: FloatBuffer, batch: TrainingBatch, sink: (any GradientSink)?, positionCount: Int
    ) throws -> (FloatBuffer, ce: Double, fusion: Double) {
        let hidden = config.hiddenSize
        let vocabularySize = config.vocabularySize
        let count = head.rows.count
        let finalGradient = try buffer(rows: batch.rowCount, width: hidden)
        guard count > 0 else { return (finalGradient, 0, 0) }
        let selected = try buffer(rows: count, width: hidden)
        for (index, row) in head.rows.enumerated() {
            (selected.pointer + index * hidden).update(from: final.pointer + row * hidden, count: hidden)
        }
        let norm = try buffer(rows: 1, width: hidden)
        try source.decode(architecture.finalNormName, elements: 0..<hidden, into: norm.buffer)
        let weights = try buffer(rows: vocabularySize, width: hidden)
        try source.decode(architecture.headName, elements: 0..<vocabularySize * hidden, into: weights.buffer)
        let normalized = try buffer(rows: count, width: hidden)
        try rmsNorm(selected, normalized, rows: count, weight: norm.pointer)
        let normalizedGradient = try buffer(rows: count, width: hidden)
        let headGradient = sink == nil ? nil : try buffer(rows: vocabularySize, width: hidden)
        let logits = try buffer(rows: headRowCount, width: vocabularySize)
        var ce = 0.0
        var fusion = 0.0
        for start in stride(from: 0, to: count, by: headRowCount) {
            let rows = start..<min(count, start + headRowCount)
            let losses = try headBlock(
                head, rows: rows, normalized: normalized, weights: weights, logits: logits,
                normalizedGradient: normalizedGradient, headGradient: headGradient, scale: 1 / Double(positionCount))
            ce += losses.ce
            fusion += losses.fusion
        }
        let selectedGradient = try buffer(rows: count, width: hidden)
        let normGradient = try buffer(rows: 1, width: hidden)
        try rmsNormBackward(
            selected, outputGradient: normalizedGradient, rows: count, weight: norm.pointer,
            inputGradient: selectedGradient, weightGradient: normGradient.pointer)
        if let sink, let headGradient {
            try sink.add(architecture.finalNormName, elements: 0..<hidden, UnsafeBufferPointer(normGradient.buffer))
            try sink.add(
                architecture.headName, elements: 0..<vocabularySize * hidden, UnsafeBufferPointer(headGradient.buffer))
        }
        for (index, row) in head.rows.enumerated() {
            (finalGradient.pointer + row * hidden).update(
                from: selectedGradient.pointer + index * hidden, count: hidden)
        }
        return (finalGradient, ce / Double(positionCount), fusion / Double(positionCount))
    }

    /// One block of loss positions: their summed losses; adds their part of
    /// `∂L/∂normalized` and of `∂L/∂head` (`scale`: 1/P, the means' weight).
    /// Each vocabulary tile multiplies its own columns of the gradient
    /// against its own rows of the head, so each is packed once.
    private func headBlock(
        _ head: LossHead, rows: Range<Int>, normalized: FloatBuffer, weights: FloatBuffer, logits: FloatBuffer,
        normalizedGradient: FloatBuffer, headGradient: FloatBuffer?, scale: Double
    ) throws -> (ce: Double, fusion: Double) {
        let hidden = config.hiddenSize
        let vocabularySize = config.vocabularySize
        let count = rows.count
        let tile = Self.vocabularyTile
        let tiles = (vocabularySize + tile - 1) / tile
        let x = normalized.pointer + rows.lowerBound * hidden
        let shared = SharedFloats(x)
        // Each tile's maximum and Σ e^(logit − maximum) per row.
        let maxima = try buffer(rows: tiles, width: count)
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: tiles * count)
        defer { sums.deallocate() }
        let partialSums = SharedDoubles(sums)
        try tiledWork(count: vocabularySize, tile: tile, threads: threads) { columns in
            let index = columns.lowerBound / tile
            MatrixProduct.multiply(
                m: count, n: columns.count, k: hidden, a: shared.base, lda: hidden,
                b: weights.pointer + columns.lowerBound * hidden, ldb: hidden, transposeB: true,
                c: logits.pointer + columns.lowerBound, ldc: vocabularySize)
            for row in 0..<count {
                let line = logits.pointer + row * vocabularySize + columns.lowerBound
                var maximum = -Float.infinity
                for column in 0..<columns.count { maximum = max(maximum, line[column]) }
                maxima.pointer[index * count + row] = maximum
                partialSums.base[index * count + row] = VectorExponential.sumOfExponentials(
                    line, count: columns.count, shift: maximum)
            }
        }
        var logSumExps = [Float](repeating: 0, count: count)
        var ce = 0.0
        var fusion = 0.0
        for row in 0..<count {
            var maximum = -Float.infinity
            for index in 0..<tiles { maximum = max(maximum, maxima.pointer[index * count + row]) }
            var sum = 0.0
            for index in 0..<tiles {
                sum += sums[index * count + row] * exp(Double(maxima.pointer[index * count + row] - maximum))
            }
            let logSumExp = Double(maximum) + log(sum)
            logSumExps[row] = Float(logSumExp)
            let line = logits.pointer + row * vocabularySize
            let position = rows.lowerBound + row
            ce += logSumExp - Double(line[head.golds[position]])
            for target in head.targets[position] {
                fusion += target.probability * (logSumExp - Double(line[target.id]))
            }
        }
        // ∂L/∂logits: the softmax times the weight of both terms, minus each term's target.
        let lambda = head.lambda
        let weightsOfRows = (0..<count).map { row in
            Float((lambda + (head.targets[rows.lowerBound + row].isEmpty ? 0 : 1 - lambda)) * scale)
        }
        let shifts = logSumExps
        let partials = try buffer(rows: tiles * count, width: hidden)
        try tiledWork(count: vocabularySize, tile: tile, threads: threads) { columns in
            for row in 0..<count {
                let line = logits.pointer + row * vocabularySize + columns.lowerBound
                _ = VectorExponential.exponentiate(line, count: columns.count, shift: shifts[row])
                let weight = weightsOfRows[row]
                for column in 0..<columns.count { line[column] *= weight }
                let position = rows.lowerBound + row
                let gold = head.golds[position]
                if columns.contains(gold) { line[gold - columns.lowerBound] -= Float(lambda * scale) }
                for target in head.targets[position] where columns.contains(target.id) {
                    line[target.id - columns.lowerBound] -= Float((1 - lambda) * scale * target.probability)
                }
            }
            // This tile's part of ∂L/∂x = G · W, in its own partial sum.
            MatrixProduct.multiply(
                m: count, n: hidden, k: columns.count, a: logits.pointer + columns.lowerBound, lda: vocabularySize,
                b: weights.pointer + columns.lowerBound * hidden, ldb: hidden, transposeB: false,
                c: partials.pointer + columns.lowerBound / tile * count * hidden, ldc: hidden)
            guard let headGradient else { return }
            MatrixProduct.multiply(
                m: columns.count, n: hidden, k: count, transposeA: true, a: logits.pointer + columns.lowerBound,
                lda: vocabularySize, b: shared.base, ldb: hidden, transposeB: false, beta: 1,
                c: headGradient.pointer + columns.lowerBound * hidden, ldc: hidden)
        }
        // The tiles' partial sums added in tile order.
        let dx = normalizedGradient.pointer + rows.lowerBound * hidden
        for index in 0..<tiles {
            let partial = partials.pointer + index * count * hidden
            for element in 0..<count * hidden { dx[element] += partial[element] }
        }
        return (ce, fusion)
    }
}

/// A Float64 pointer that worker closures may share (disjoint writes).
struct SharedDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ base: UnsafeMutablePointer<Double>) { self.base = base }
}
