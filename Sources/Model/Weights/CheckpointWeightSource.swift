import Base
import Checkpoint

/// Weights read from stored tensors through `TensorReader` (safetensors
/// shards in any float dtype, or a GGUF file dequantized as it is read),
/// under their Hugging Face names. Decoding goes through a bounded scratch
/// buffer per call, so only the destination grows with the tensor.
public final class CheckpointWeightSource: LayerWeightSource {
    struct Location: Sendable {
        let reader: any TensorReader
        let index: Int
        let info: TensorInfo
        let transform: TensorTransform
    }

    public let name: String
    let locations: [String: Location]
    /// Elements decoded per read: bounds the scratch a call allocates.
    static let chunkElementCount = 1 << 20

    /// Every tensor of a safetensors checkpoint.
    public init(checkpoint: Checkpoint) {
        name = checkpoint.path
        var locations: [String: Location] = [:]
        for file in checkpoint.files {
            for (index, info) in file.tensorInfos.enumerated() {
                locations[info.name] = Location(reader: file, index: index, info: info, transform: .none)
            }
        }
        self.locations = locations
    }

    /// The tensors of a GGUF file under the names `smelt convert` gives
    /// them, with its transforms (Q/K permutation undone, Gemma's norms
    /// minus one).
    public init(gguf: GGUFFile, plan: GGUFConversionPlan) {
        name = gguf.path
        var locations: [String: Location] = [:]
        for tensor in plan.tensors {
            locations[tensor.name] = Location(
                reader: gguf, index: tensor.sourceIndex, info: gguf.tensorInfos[tensor.sourceIndex],
                transform: tensor.transform)
        }
        self.locations = locations
    }

    public func shape(of tensor: String) -> [Int]? { locations[tensor]?.info.shape }

    public func decode(
        _ tensor: String, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    ) throws {
        guard let location = locations[tensor] else { throw ModelError.missingTensor(model: name, tensor: tensor) }
        if location.transform != .none {
            try decodeTransformed(location, elements: elements, into: destination)
            return
        }
        let info = location.info
        let block = info.blockElementCount
        // Whole blocks around the range, decoded a chunk at a time.
        var start = elements.lowerBound
        let chunk = min(Self.chunkElementCount, elements.count) + 2 * block
        var scratch = [UInt8](repeating: 0, count: info.scratchBytes(forElements: chunk))
        var staging = [Float](repeating: 0, count: block > 1 ? chunk : 0)
        while start < elements.upperBound {
            let end = min(elements.upperBound, start + Self.chunkElementCount)
            let blockStart = start / block * block
            let blockEnd = min(info.elementCount, (end + block - 1) / block * block)
            try scratch.withUnsafeMutableBytes { scratchBytes in
                if blockStart == start && blockEnd == end {
                    let target = UnsafeMutableBufferPointer(rebasing: destination[(start - elements.lowerBound)...])
                    try location.reader.decode(
                        tensor: location.index, elements: start..<end,
                        into: UnsafeMutableBufferPointer(rebasing: target[0..<(end - start)]), scratch: scratchBytes)
                } else {
                    try staging.withUnsafeMutableBufferPointer { stage in
                        let whole = UnsafeMutableBufferPointer(rebasing: stage[0..<(blockEnd - blockStart)])
                        try location.reader.decode(
                            tensor: location.index, elements: blockStart..<blockEnd, into: whole,
                            scratch: scratchBytes)
                        for offset in 0..<(end - start) {
                            destination[start - elements.lowerBound + offset] = whole[start - blockStart + offset]
                        }
                    }
                }
            }
            start = end
        }
    }

    /// Transforms work on whole tensors (heads are permuted across rows).
    private func decodeTransformed(
        _ location: Location, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>
    ) throws {
        let count = location.info.elementCount
        var whole = [Float](repeating: 0, count: count)
        var scratch = [Float](repeating: 0, count: count)
        try whole.withUnsafeMutableBufferPointer { values in
            try decode(untransformed: location, into: values)
            scratch.withUnsafeMutableBufferPointer { scratchValues in
                let output = location.transform.apply(values, shape: location.info.shape, scratch: scratchValues)
                for index in elements { destination[index - elements.lowerBound] = output[index] }
            }
        }
    }

    private func decode(untransformed location: Location, into values: UnsafeMutableBufferPointer<Float>) throws {
        let plain = Location(reader: location.reader, index: location.index, info: location.info, transform: .none)
        let info = plain.info
        var scratch = [UInt8](repeating: 0, count: info.scratchBytes(forElements: info.elementCount))
        try scratch.withUnsafeMutableBytes { bytes in
            try plain.reader.decode(tensor: plain.index, elements: 0..<info.elementCount, into: values, scratch: bytes)
        }
    }
}
