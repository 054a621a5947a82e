/// `llama` (SmolLM2, Llama 2 and 3) and `qwen2` (Qwen2, Qwen2.5): pre-norm
/// RMSNorm, rope, grouped-query attention, SiLU-gated feed-forward
/// (transformers' `LlamaDecoderLayer`); Qwen2 adds biases on q, k and v.
struct LlamaArchitecture: DecoderArchitecture {
    let config: ModelConfig
    var embeddingScale: Float? { nil }
    var normWeightOffset: Float { 0 }

    func layerTensors(_ index: Int) -> [LayerTensor] {
        [norm(index, .inputNorm, "input_layernorm")] + attentionTensors(index)
            + [norm(index, .postAttentionNorm, "post_attention_layernorm")] + feedForwardTensors(index)
    }

    func attentionInputs(_ tile: LayerTile, weights: LayerWeights) {
        llamaAttentionInputs(tile, weights: weights)
    }

    func attentionOutputAndFeedForward(_ tile: LayerTile, weights: LayerWeights) {
        llamaAttentionOutputAndFeedForward(tile, weights: weights)
    }
}

extension DecoderArchitecture {
    /// `x → RMSNorm → q, k, v (+ biases) → rope`.
    func llamaAttentionInputs(_ tile: LayerTile, weights: LayerWeights) {
        let hidden = config.hiddenSize
        Kernels.rmsNorm(
            tile.hidden, tile.work, rows: tile.rows, width: hidden, stride: hidden, weight: weights[.inputNorm],
            epsilon: config.rmsNormEpsilon, weightOffset: 0)
        projectQueryKeyValue(tile, input: tile.work, weights: weights)
        rotate(tile)
    }

    /// `x += o(attention)`, then `x += mlp(RMSNorm(x))`: both residuals
    /// added by the products themselves.
    func llamaAttentionOutputAndFeedForward(_ tile: LayerTile, weights: LayerWeights) {
        let hidden = config.hiddenSize
        Kernels.linear(
            tile.attention, rows: tile.rows, inputWidth: config.queryWidth, inputStride: config.queryWidth,
            weight: weights[.output], outputWidth: hidden, bias: nil, tile.hidden, outputStride: hidden,
            accumulating: true)
        Kernels.rmsNorm(
            tile.hidden, tile.work, rows: tile.rows, width: hidden, stride: hidden,
            weight: weights[.postAttentionNorm], epsilon: config.rmsNormEpsilon, weightOffset: 0)
        feedForward(
            tile, input: tile.work, output: tile.hidden, weights: weights, activation: .silu, accumulating: true)
    }
}
