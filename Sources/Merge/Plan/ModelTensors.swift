import Base
import Checkpoint

/// One input model's tensors, indexed once when the model is opened: by
/// name, by layer, and those outside the layers.
struct ModelTensors {
    let byName: [String: TensorSource]
    /// Names in each layer, sorted.
    let namesByLayer: [Int: [String]]
    /// Names outside the layers (embeddings, final norm, head), sorted.
    let namesOutsideLayers: [String]
    /// One more than the highest layer number (0 without layers).
    let layerCount: Int
    /// The input embedding that stands in for a missing tied `lm_head.weight`.
    let tiedEmbedding: TensorSource?

    init(_ checkpoint: Checkpoint, modelIndex: Int) {
        var byName: [String: TensorSource] = [:]
        var byLayer: [Int: [String]] = [:]
        var outside: [String] = []
        for file in checkpoint.files {
            for (tensorIndex, tensor) in file.header.tensors.enumerated() {
                byName[tensor.name] = TensorSource(
                    reader: file, tensorIndex: tensorIndex, tensorName: tensor.name, dtype: tensor.dtype, shape: tensor.shape,
                    byteCount: tensor.byteCount, modelIndex: modelIndex)
                if let layer = LayerNames.layer(of: tensor.name) {
                    byLayer[layer, default: []].append(tensor.name)
                } else {
                    outside.append(tensor.name)
                }
            }
        }
        self.byName = byName
        namesByLayer = byLayer.mapValues { $0.sorted() }
        namesOutsideLayers = outside.sorted()
        layerCount = (byLayer.keys.max() ?? -1) + 1
        tiedEmbedding = namesOutsideLayers.first { $0.hasSuffix("embed_tokens.weight") || $0.hasSuffix("wte.weight") }.flatMap { byName[$0] }
    }
}
