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
    /// The number of layers, numbered 0 to `layerCount - 1` without gaps
    /// (0 without layers).
    let layerCount: Int
    /// The input embedding that stands in for a missing tied `lm_head.weight`.
    let tiedEmbedding: TensorSource?

    /// Indexes `checkpoint`, refusing layer numbers with gaps: the layer
    /// count comes from the layers present, never from the highest number
    /// alone (a lone `layers.999999999` would otherwise mean 10⁹ layers).
    init(_ checkpoint: Checkpoint, modelIndex: Int, model: String) throws {
        var byName: [String: TensorSource] = [:]
        var byLayer: [Int: [String]] = [:]
        var outside: [String] = []
        for file in checkpoint.files {
            for (tensorIndex, tensor) in file.header.tensors.enumerated() {
                byName[tensor.name] = TensorSource(
                    reader: file, tensorIndex: tensorIndex, tensorName: tensor.name, dtype: tensor.dtype,
                    shape: tensor.shape,
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
        layerCount = byLayer.count
        if let highest = byLayer.keys.max(), highest >= layerCount {
            let missing = (0..<highest).first { byLayer[$0] == nil } ?? 0  // checked: a gap exists below `highest`
            let tensor = byLayer[highest]?.min() ?? ""  // checked: `highest` is a key
            throw MergeError.layerGap(
                model: model, path: checkpoint.folder, tensor: tensor, layer: highest, missingLayer: missing)
        }
        tiedEmbedding = namesOutsideLayers.first { $0.hasSuffix("embed_tokens.weight") || $0.hasSuffix("wte.weight") }
            .flatMap { byName[$0] }
    }
}
