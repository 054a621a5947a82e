import Checkpoint

/// A small GGUF model of an architecture `smelt convert` knows, built in
/// the test: llama.cpp's metadata keys and tensor names, F32 tensors of
/// known values, so a test can compute what each converted tensor must
/// hold. Tests change `metadata` and `tensors` to make broken files.
public struct TinyGGUF {
    /// vocab 64, hidden 32, 2 layers, 4 heads of 8, 2 key-value heads,
    /// feed-forward 64.
    public static let vocabSize = 64, hiddenSize = 32, layerCount = 2, headCount = 4, keyValueHeadCount = 2
    public static let headDimension = 8, feedForwardSize = 64

    public struct Tensor {
        public var name: String
        /// Row-major, as transformers sees it.
        public var shape: [Int]
        public var values: [Float]
        /// Stored as F32 unless set.
        public var type: GGMLType = .f32

        public init(name: String, shape: [Int], values: [Float], type: GGMLType = .f32) {
            self.name = name
            self.shape = shape
            self.values = values
            self.type = type
        }
    }

    public var metadata: [(String, GGUFValue)]
    public var tensors: [Tensor]

    /// The tensor called `name`.
    public func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }

    public mutating func remove(_ name: String) { tensors.removeAll { $0.name == name } }

    public mutating func setMetadata(_ key: String, _ value: GGUFValue?) {
        metadata.removeAll { $0.0 == key }
        if let value { metadata.append((key, value)) }
    }

    /// A Llama (SmolLM2's layout), its head tied unless `tied` is false.
    public static func llama(tied: Bool = true) -> TinyGGUF {
        var model = decoder(architecture: "llama", tied: tied)
        model.metadata.append(("llama.rope.dimension_count", .uint32(UInt32(headDimension))))
        model.metadata.append(("llama.vocab_size", .uint32(UInt32(vocabSize))))
        return model
    }

    /// A Qwen2: untied, with query, key and value biases.
    public static func qwen2() -> TinyGGUF {
        var model = decoder(architecture: "qwen2", tied: false)
        for layer in 0..<layerCount {
            model.add("blk.\(layer).attn_q.bias", [headCount * headDimension])
            model.add("blk.\(layer).attn_k.bias", [keyValueHeadCount * headDimension])
            model.add("blk.\(layer).attn_v.bias", [keyValueHeadCount * headDimension])
        }
        return model
    }

    /// A Gemma 3: tied, with query and key norms and four norms a layer.
    public static func gemma3() -> TinyGGUF {
        var model = decoder(architecture: "gemma3", tied: true)
        model.metadata.append(("gemma3.attention.key_length", .uint32(UInt32(headDimension))))
        model.metadata.append(("gemma3.attention.value_length", .uint32(UInt32(headDimension))))
        model.metadata.append(("gemma3.attention.sliding_window", .uint32(16)))
        for layer in 0..<layerCount {
            model.add("blk.\(layer).attn_q_norm.weight", [headDimension])
            model.add("blk.\(layer).attn_k_norm.weight", [headDimension])
            model.add("blk.\(layer).post_attention_norm.weight", [hiddenSize])
            model.add("blk.\(layer).post_ffw_norm.weight", [hiddenSize])
        }
        return model
    }

    private static func decoder(architecture: String, tied: Bool) -> TinyGGUF {
        let key = { (name: String) in architecture + "." + name }
        var model = TinyGGUF(
            metadata: [
                ("general.architecture", .string(architecture)),
                ("general.name", .string("Tiny \(architecture)")),
                (key("context_length"), .uint32(128)),
                (key("embedding_length"), .uint32(UInt32(hiddenSize))),
                (key("block_count"), .uint32(UInt32(layerCount))),
                (key("feed_forward_length"), .uint32(UInt32(feedForwardSize))),
                (key("attention.head_count"), .uint32(UInt32(headCount))),
                (key("attention.head_count_kv"), .uint32(UInt32(keyValueHeadCount))),
                (key("attention.layer_norm_rms_epsilon"), .float32(1e-5)),
                (key("rope.freq_base"), .float32(10_000)),
                ("tokenizer.ggml.bos_token_id", .uint32(1)),
                ("tokenizer.ggml.eos_token_id", .uint32(2)),
                ("tokenizer.chat_template", .string("{{ messages }}")),
            ], tensors: [])
        model.add("token_embd.weight", [vocabSize, hiddenSize])
        model.add("output_norm.weight", [hiddenSize])
        if !tied { model.add("output.weight", [vocabSize, hiddenSize]) }
        let query = headCount * headDimension
        let keyValue = keyValueHeadCount * headDimension
        for layer in 0..<layerCount {
            let prefix = "blk.\(layer)."
            model.add(prefix + "attn_norm.weight", [hiddenSize])
            model.add(prefix + "attn_q.weight", [query, hiddenSize])
            model.add(prefix + "attn_k.weight", [keyValue, hiddenSize])
            model.add(prefix + "attn_v.weight", [keyValue, hiddenSize])
            model.add(prefix + "attn_output.weight", [hiddenSize, query])
            model.add(prefix + "ffn_norm.weight", [hiddenSize])
            model.add(prefix + "ffn_gate.weight", [feedForwardSize, hiddenSize])
            model.add(prefix + "ffn_up.weight", [feedForwardSize, hiddenSize])
            model.add(prefix + "ffn_down.weight", [hiddenSize, feedForwardSize])
        }
        return model
    }

    /// Adds a tensor whose values are a function of its position in the
    /// file and of each element's index, all exact in Float32.
    public mutating func add(_ name: String, _ shape: [Int]) {
        let seed = tensors.count
        let count = shape.reduce(1, *)
        let values = (0..<count).map { Float(($0 * 37 + seed * 101) % 509) / 256 - 1 }
        tensors.append(Tensor(name: name, shape: shape, values: values))
    }

    /// The GGUF file: version 3, alignment 32, each tensor stored in its
    /// type (F32 from `values`; another type gets `GGUFBuilder`'s counting
    /// pattern of bytes).
    public var bytes: [UInt8] {
        GGUFBuilder.file(
            metadata: metadata,
            tensors: tensors.map { tensor in
                var data: [UInt8]?
                if tensor.type == .f32 {
                    data = []
                    for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data! += $0 } }
                }
                return GGUFBuilder.Tensor(
                    name: tensor.name, type: tensor.type, dimensions: tensor.shape.reversed().map { UInt64($0) },
                    data: data)
            })
    }
}
