import Base
import Compute
import Foundation

/// A decoder that scores known tokens (teacher forcing): the library API
/// that `smelt score`, the logit cache and the evolutionary search call.
/// Weights come from a `LayerWeightSource`, one layer at a time, into
/// buffers drawn from the caller's `ByteBudget`.
public final class LanguageModel: Sendable {
    public let config: ModelConfig
    public let source: any LayerWeightSource
    let architecture: any DecoderArchitecture
    /// The fewest rows any of the model's matrix products runs on, so that
    /// every row's result comes from the same kernels whatever the batch
    /// (`MatrixProduct.minimumRowCount`): tiles and their padding have at
    /// least this many.
    let productRowCount: Int
    /// The most flat rows of a batch that one token-wise work unit handles.
    let tileRowCount: Int

    /// Checks every tensor the config implies against the source's shapes.
    public init(config: ModelConfig, source: any LayerWeightSource) throws(ModelError) {
        self.config = config
        self.source = source
        architecture = Model.architecture(for: config)
        let hidden = config.hiddenSize
        let products =
            architecture.layerTensors(0).filter { $0.shape.count == 2 }.map { ($0.shape[0], $0.shape[1]) }
            + [(VocabularyProjection.blockRowCount, hidden)]
        productRowCount = products.map { MatrixProduct.minimumRowCount(n: $0.0, k: $0.1) }.max() ?? 1
        tileRowCount = max(512, productRowCount)
        try source.check(architecture.embeddingName, shape: [config.vocabularySize, hidden])
        try source.check(architecture.finalNormName, shape: [hidden])
        if !config.isTiedEmbedding { try source.check(architecture.headName, shape: [config.vocabularySize, hidden]) }
        for layer in 0..<config.layerCount {
            for tensor in architecture.layerTensors(layer) { try source.check(tensor.name, shape: tensor.shape) }
        }
    }

    /// Bytes held whatever the batch: one layer's weights, a block of the
    /// vocabulary, and each worker's scratch.
    public func fixedBytes(threads: Int) -> UInt64 {
        let layer = architecture.layerTensors(0).reduce(0) { $0 + $1.shape.reduce(1, *) }
        let block = VocabularyProjection.blockRowCount * config.hiddenSize
        let padding = productRowCount * Int(bytesPerToken(topK: 0)) / 4
        return UInt64(layer + padding + threads * (block + workerScratchCount)) * 4
    }

    /// Bytes each token of a batch holds (hidden state, queries, keys,
    /// values, attention output; each vocabulary chunk's running state and
    /// top-K; the results).
    public func bytesPerToken(topK: Int, sampleCount: Int = 0) -> UInt64 {
        let activations = UInt64(2 * config.hiddenSize + 2 * config.queryWidth + 2 * config.keyValueWidth) * 4
        let draws = sampleCount > 0 ? UInt64(DrawState.bytesPerRow(count: sampleCount)) : 0
        let state = UInt64(topK) * 8 + 28 + draws
        return activations + UInt64(VocabularyProjection.chunkCount + 1) * state + UInt64(topK) * 16 + 40
    }

    /// Rows of the batch the vocabulary pass multiplies at once.
    var vocabularyTileRowCount: Int { max(VocabularyProjection.tileRowCount, productRowCount) }

    var workerScratchCount: Int {
        let rows = tileRowCount
        let work = 2 * rows * config.hiddenSize
        let scratch = max(
            architecture.scratchCount(rows: rows), BlockedAttention.scratchCount(headDimension: config.headDimension),
            vocabularyTileRowCount * VocabularyProjection.blockRowCount)
        return work + scratch
    }

    /// Scores a batch of records (token ids) with the `topK` most likely
    /// next tokens at every position. Each record's numbers are a function
    /// of the model and that record alone.
    public func score(
        _ records: [[Int]], topK: Int, sampling: TokenSampling? = nil, threads: Int, budget: ByteBudget
    ) throws -> [TokenScores] {
        for record in records {
            for id in record where id < 0 || id >= config.vocabularySize {
                throw ModelError.tokenOutOfRange(id: id, vocabularySize: config.vocabularySize)
            }
        }
        let batch = try Batch(records: records, config: config, paddingRowCount: productRowCount, budget: budget)
        let workers = try (0..<max(1, threads)).map { _ throws(ByteBudgetError) in
            try FloatBuffer(count: workerScratchCount, budget: budget, purpose: "forward-pass scratch")
        }
        try embed(batch, threads: threads)
        do {  // the layer weights go back to the budget before the vocabulary pass
            let weights = try LayerWeights(tensors: architecture.layerTensors(0), budget: budget)
            for layer in 0..<config.layerCount {
                try load(layer: layer, into: weights, threads: threads)
                try runLayer(layer, batch: batch, weights: weights, workers: workers, threads: threads)
            }
        }
        return try project(
            batch, topK: topK, sampling: sampling, workers: workers, threads: threads, budget: budget)
    }

    /// Decodes each token's embedding row, scaled where the architecture says.
    private func embed(_ batch: Batch, threads: Int) throws {
        let hidden = config.hiddenSize
        let name = architecture.embeddingName
        let scale = architecture.embeddingScale
        let flat = batch.records.flatMap { $0 }
        // Padding rows keep their zeros: nothing reads them.
        let source = self.source
        try parallelWork(count: flat.count, threads: threads) { token, _ in
            let row = UnsafeMutableBufferPointer(start: batch.hidden.pointer + token * hidden, count: hidden)
            try source.decode(name, elements: flat[token] * hidden..<(flat[token] + 1) * hidden, into: row)
            if let scale { for index in row.indices { row[index] *= scale } }
        }
    }

    private func load(layer: Int, into weights: LayerWeights, threads: Int) throws {
        let tensors = architecture.layerTensors(layer)
        let source = self.source
        try parallelWork(count: tensors.count, threads: threads) { index, _ in
            let tensor = tensors[index]
            let count = tensor.shape.reduce(1, *)
            try source.decode(tensor.name, elements: 0..<count, into: weights.destination(tensor.role, count: count))
        }
    }
}
