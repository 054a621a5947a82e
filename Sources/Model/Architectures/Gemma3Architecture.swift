/// `gemma3_text` (Gemma 3's text models, transformers' `Gemma3DecoderLayer`):
/// embeddings scaled by √hidden (in Float32), `(1 + w)` RMSNorms, four of
/// them per layer (before and after attention and the feed-forward block),
/// RMSNorms on each query and key head before rope, GELU-tanh gating, and
/// the config's sliding-window layers with their own rope base.
struct Gemma3Architecture: DecoderArchitecture {
    let config: ModelConfig
    var embeddingScale: Float? { Float(config.hiddenSize).squareRoot() }
    var normWeightOffset: Float { 1 }

    func layerTensors(_ index: Int) -> [LayerTensor] {
        let head = config.headDimension
        return [norm(index, .inputNorm, "input_layernorm")] + attentionTensors(index)
            + [
                norm(index, .queryNorm, "self_attn.q_norm", width: head),
                norm(index, .keyNorm, "self_attn.k_norm", width: head),
                norm(index, .postAttentionNorm, "post_attention_layernorm"),
                norm(index, .preFeedForwardNorm, "pre_feedforward_layernorm"),
                norm(index, .postFeedForwardNorm, "post_feedforward_layernorm"),
            ] + feedForwardTensors(index)
    }

    func attentionInputs(_ tile: LayerTile, weights: LayerWeights) {
        let hidden = config.hiddenSize
        let head = config.headDimension
        Kernels.rmsNorm(
            tile.hidden, tile.work, rows: tile.rows, width: hidden, stride: hidden, weight: weights[.inputNorm],
            epsilon: config.rmsNormEpsilon, weightOffset: 1)
        projectQueryKeyValue(tile, input: tile.work, weights: weights)
        // Each head's RMSNorm: rows of head_dim, in place, row by row of the tile.
        for row in 0..<tile.rows {
            let offset = row * tile.queryKeyValueStride
            Kernels.rmsNorm(
                tile.query + offset, tile.query + offset, rows: config.headCount, width: head, stride: head,
                weight: weights[.queryNorm], epsilon: config.rmsNormEpsilon, weightOffset: 1)
            Kernels.rmsNorm(
                tile.key + offset, tile.key + offset, rows: config.keyValueHeadCount, width: head, stride: head,
                weight: weights[.keyNorm], epsilon: config.rmsNormEpsilon, weightOffset: 1)
        }
        rotate(tile)
    }

    func attentionOutputAndFeedForward(_ tile: LayerTile, weights: LayerWeights) {
        let hidden = config.hiddenSize
        let epsilon = config.rmsNormEpsilon
        Kernels.linear(
            tile.attention, rows: tile.rows, inputWidth: config.queryWidth, inputStride: config.queryWidth,
            weight: weights[.output], outputWidth: hidden, bias: nil, tile.work, outputStride: hidden)
        Kernels.rmsNorm(
            tile.work, tile.work, rows: tile.rows, width: hidden, stride: hidden,
            weight: weights[.postAttentionNorm], epsilon: epsilon, weightOffset: 1)
        Kernels.add(tile.work, into: tile.hidden, count: tile.rows * hidden)
        Kernels.rmsNorm(
            tile.hidden, tile.work, rows: tile.rows, width: hidden, stride: hidden,
            weight: weights[.preFeedForwardNorm], epsilon: epsilon, weightOffset: 1)
        feedForward(tile, input: tile.work, output: tile.work2, weights: weights, activation: .geluTanh)
        Kernels.rmsNorm(
            tile.work2, tile.work2, rows: tile.rows, width: hidden, stride: hidden,
            weight: weights[.postFeedForwardNorm], epsilon: epsilon, weightOffset: 1)
        Kernels.add(tile.work2, into: tile.hidden, count: tile.rows * hidden)
    }
}
