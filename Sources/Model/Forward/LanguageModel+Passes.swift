import Base

extension LanguageModel {
    /// One layer over the whole batch: token-wise inputs of attention per
    /// tile, attention per (record, head, query block), then the token-wise
    /// rest per tile.
    func runLayer(_ layer: Int, batch: Batch, weights: LayerWeights, workers: [FloatBuffer], threads: Int) throws {
        let tiles = batch.tiles(rows: tileRowCount)
        let window = config.layerWindows[layer]
        let frequencies = (window == nil ? config.globalRope : config.localRope)
            .inverseFrequencies(headDimension: config.headDimension)
        let architecture = self.architecture
        let config = self.config
        let workRows = tileRowCount
        let productRows = self.productRowCount
        let withTile = { @Sendable (index: Int, worker: Int, body: (LayerTile) -> Void) in
            let start = tiles[index].lowerBound
            let scratch = workers[worker].pointer
            let workCount = workRows * config.hiddenSize
            batch.positions.withUnsafeBufferPointer { positions in
                // checked: a batch's positions cover its rows and padding, so never empty
                body(
                    LayerTile(
                        rows: max(tiles[index].count, productRows), positions: positions.baseAddress! + start,
                        hidden: batch.hidden.pointer + start * config.hiddenSize,
                        queryKeyValue: batch.queryKeyValue.pointer + start * config.queryKeyValueWidth,
                        queryKeyValueStride: config.queryKeyValueWidth, queryWidth: config.queryWidth,
                        keyValueWidth: config.keyValueWidth,
                        attention: batch.attention.pointer + start * config.queryWidth, work: scratch,
                        work2: scratch + workCount, scratch: scratch + 2 * workCount, inverseFrequencies: frequencies))
            }
        }
        try parallelWork(count: tiles.count, threads: threads) { index, worker in
            withTile(index, worker) { architecture.attentionInputs($0, weights: weights) }
        }
        let blocks = BlockedAttention.queryBlockCount
        let units = batch.records.enumerated().flatMap { record, ids in
            (0..<config.headCount).flatMap { head in
                stride(from: 0, to: ids.count, by: blocks).map { (record: record, head: head, start: $0) }
            }
        }
        let group = config.headCount / config.keyValueHeadCount
        try parallelWork(count: units.count, threads: threads) { index, worker in
            let (record, head, start) = units[index]
            let stride = config.queryKeyValueWidth
            let query = batch.queryKeyValue.pointer + batch.offsets[record] * stride
            BlockedAttention.attend(
                query: query, key: query + config.queryWidth, value: query + config.queryWidth + config.keyValueWidth,
                inputStride: stride, output: batch.attention.pointer + batch.offsets[record] * config.queryWidth,
                outputStride: config.queryWidth, head: head, keyValueHead: head / group,
                headDimension: config.headDimension, queryStart: start,
                queryEnd: min(start + blocks, batch.records[record].count), window: window,
                scale: config.attentionScale, scratch: workers[worker].pointer)
        }
        try parallelWork(count: tiles.count, threads: threads) { index, worker in
            withTile(index, worker) { architecture.attentionOutputAndFeedForward($0, weights: weights) }
        }
    }

    /// The final norm, then the vocabulary a block of rows at a time.
    func project(
        _ batch: Batch, topK: Int, sampling: TokenSampling?, workers: [FloatBuffer], threads: Int, budget: ByteBudget
    ) throws -> [TokenScores] {
        let hidden = config.hiddenSize
        let norm = try FloatBuffer(count: hidden, budget: budget, purpose: "final norm")
        try source.decode(architecture.finalNormName, elements: 0..<hidden, into: norm.buffer)
        let tiles = batch.tiles(rows: tileRowCount)
        let config = self.config
        let offset = architecture.normWeightOffset
        let productRows = self.productRowCount
        try parallelWork(count: tiles.count, threads: threads) { index, _ in
            let row = tiles[index].lowerBound * hidden
            Kernels.rmsNorm(
                batch.hidden.pointer + row, batch.normalized.pointer + row, rows: tiles[index].count, width: hidden,
                stride: hidden, weight: norm.pointer, epsilon: config.rmsNormEpsilon, weightOffset: offset)
        }
        // Vocabulary chunks are the work units: each folds every row against
        // its blocks, in order, into its own state; the states are combined
        // in chunk order, so no result depends on the thread count.
        let blockRows = VocabularyProjection.blockRowCount
        let chunkRows = VocabularyProjection.chunkRowCount(vocabularySize: config.vocabularySize)
        let keys = sampling.map { DrawState.keys(records: batch.records, seed: $0.seed) } ?? []
        let states = (0..<VocabularyProjection.chunkCount).map { chunk in
            VocabularyState(
                records: batch.records, topK: topK,
                draws: sampling.map { DrawState(sampling: $0, keys: keys, chunk: chunk) })
        }
        let rowTiles = batch.tiles(rows: vocabularyTileRowCount)
        let blocks = try (0..<max(1, threads)).map { _ throws(ByteBudgetError) in
            try FloatBuffer(count: blockRows * hidden, budget: budget, purpose: "vocabulary block")
        }
        let head = architecture.headName
        let source = self.source
        try parallelWork(count: states.count, threads: threads) { chunk, worker in
            let end = min(config.vocabularySize, (chunk + 1) * chunkRows)
            for vocabularyStart in stride(from: chunk * chunkRows, to: end, by: blockRows) {
                let rowsInBlock = min(blockRows, end - vocabularyStart)
                let block = blocks[worker]
                try source.decode(
                    head, elements: vocabularyStart * hidden..<(vocabularyStart + rowsInBlock) * hidden,
                    into: UnsafeMutableBufferPointer(start: block.pointer, count: rowsInBlock * hidden))
                for rows in rowTiles {
                    VocabularyProjection.fold(
                        normalized: batch.normalized.pointer, hiddenSize: hidden, rows: rows,
                        productRows: max(rows.count, productRows), state: states[chunk], weights: block.pointer,
                        vocabularyStart: vocabularyStart, blockRows: rowsInBlock, logits: workers[worker].pointer)
                }
            }
        }
        return VocabularyState.combine(states).finish()
    }
}
