/// `qwen2` (Qwen2, Qwen2.5): Llama's layer with biases on the q, k and v
/// projections, and an untied head unless the config ties it.
struct Qwen2Architecture: DecoderArchitecture {
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
