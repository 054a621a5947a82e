// Writes the input trio of tools/bench-merge.sh: three Llama-3.2-1B-shaped
// BF16 checkpoints `base`, `a` and `b` (1,235,814,400 parameters, 2.47 GB
// each, tied embeddings, one model.safetensors and a config.json each)
// under DIR, through the Checkpoint library's transactional writer.
//
//   bench-merge DIR [--seed N]
//
// base is normal-ish(0, 0.02) (norm weights 1 + normal-ish(0, 0.02)); a and
// b are base + independent normal-ish(0, 0.004) task vectors, computed in
// Float32 from the stored (rounded) base and rounded once to BF16, to
// nearest even. "Normal-ish" is the sum of four 16-bit uniforms, scaled to
// unit variance, from a counter-based hash (splitmix64's finaliser) of
// (seed, model, tensor, element): deterministic whatever the threading.
// A model whose folder already holds model.safetensors of the right size
// and a config.json is left alone.
//
// With --realistic the task vectors look like a short real fine-tune's
// instead (as tools/make_realistic_trio.py at SmolLM2's shapes): a
// fraction left exactly unchanged (30% in a, 50% in b), heavy-tailed
// Adam-like steps of a few BF16 units in the last place (Student-t-ish,
// 2e-4 scale), plus a rank-8 part (1e-4 / √8 · u·v, as LoRA merges give),
// so top-k cut-offs fall inside huge ties. Such a trio belongs in its own
// DIR (tools/bench-merge.sh --realistic uses /tmp/smelt-bench-merge-realistic).
import Base
import Checkpoint
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = String(hundredths % 100)
    return "\(hundredths / 100)." + (fraction.count < 2 ? "0" + fraction : fraction)
}

func fail(_ message: String) -> Never {
    writeToStandardError("bench-merge: " + message)
    exit(1)
}

// MARK: - Arguments

var arguments = Array(CommandLine.arguments.dropFirst())
var seed: UInt64 = 0
if let index = arguments.firstIndex(of: "--seed") {
    guard index + 1 < arguments.count, let value = UInt64(arguments[index + 1]) else { fail("--seed needs an unsigned integer") }
    seed = value
    arguments.removeSubrange(index...(index + 1))
}
let realistic = arguments.contains("--realistic")
arguments.removeAll { $0 == "--realistic" }
guard arguments.count == 1, !arguments[0].hasPrefix("-") else {
    fail("usage: bench-merge DIR [--seed N] [--realistic]")
}
let directory = arguments[0]

// MARK: - Shapes (Llama 3.2 1B)

let vocabulary: UInt64 = 128_256, hidden: UInt64 = 2_048, intermediate: UInt64 = 8_192
let layers = 16, attentionHeads = 32, keyValueHeads = 8, headDimension: UInt64 = 64
let keyValueWidth = UInt64(keyValueHeads) * headDimension // 512

/// One tensor: its name, shape, and whether it is a norm weight (around 1).
struct Spec { let name: String; let shape: [UInt64]; let isNorm: Bool }
var specs: [Spec] = [Spec(name: "model.embed_tokens.weight", shape: [vocabulary, hidden], isNorm: false)]
for layer in 0..<layers {
    let prefix = "model.layers.\(layer)."
    specs += [
        Spec(name: prefix + "input_layernorm.weight", shape: [hidden], isNorm: true),
        Spec(name: prefix + "mlp.down_proj.weight", shape: [hidden, intermediate], isNorm: false),
        Spec(name: prefix + "mlp.gate_proj.weight", shape: [intermediate, hidden], isNorm: false),
        Spec(name: prefix + "mlp.up_proj.weight", shape: [intermediate, hidden], isNorm: false),
        Spec(name: prefix + "post_attention_layernorm.weight", shape: [hidden], isNorm: true),
        Spec(name: prefix + "self_attn.k_proj.weight", shape: [keyValueWidth, hidden], isNorm: false),
        Spec(name: prefix + "self_attn.o_proj.weight", shape: [hidden, hidden], isNorm: false),
        Spec(name: prefix + "self_attn.q_proj.weight", shape: [hidden, hidden], isNorm: false),
        Spec(name: prefix + "self_attn.v_proj.weight", shape: [keyValueWidth, hidden], isNorm: false),
    ]
}
specs.append(Spec(name: "model.norm.weight", shape: [hidden], isNorm: true))
let outputTensors = specs.map { OutputTensor(name: $0.name, dtype: .bf16, shape: $0.shape) }
let elementCounts = specs.map { Int($0.shape.reduce(1, *)) }

let config = """
{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "head_dim": \(headDimension),
  "hidden_act": "silu",
  "hidden_size": \(hidden),
  "initializer_range": 0.02,
  "intermediate_size": \(intermediate),
  "max_position_embeddings": 131072,
  "mlp_bias": false,
  "model_type": "llama",
  "num_attention_heads": \(attentionHeads),
  "num_hidden_layers": \(layers),
  "num_key_value_heads": \(keyValueHeads),
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": {
    "factor": 32.0,
    "high_freq_factor": 4.0,
    "low_freq_factor": 1.0,
    "original_max_position_embeddings": 8192,
    "rope_type": "llama3"
  },
  "rope_theta": 500000.0,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.45.0",
  "use_cache": true,
  "vocab_size": \(vocabulary)
}

"""

// MARK: - Which models to write

let shardSizeLimit: UInt64 = 1 << 40 // one model.safetensors per model
let expectedSize: UInt64
do { expectedSize = try ShardLayout.plan(tensors: outputTensors, shardSizeLimit: shardSizeLimit)[0].fileSize } catch { fail("\(error)") }

let modelNames = ["base", "a", "b"]
func isComplete(_ name: String) -> Bool {
    let folder = directory + "/" + name
    guard let weights = try? FileSystem.status(folder + "/model.safetensors"), weights.isRegularFile, weights.size == expectedSize,
          let configuration = try? FileSystem.status(folder + "/config.json"), configuration.isRegularFile else { return false }
    return true
}
let missing = modelNames.map { !isComplete($0) }
if !missing.contains(true) {
    print("\(directory): base, a, b present (\(expectedSize) bytes each); nothing to do")
    exit(0)
}
do {
    if try FileSystem.status(directory) == nil { try FileSystem.createDirectory(directory) }
} catch { fail("\(error)") }

let writers: [CheckpointWriter?]
do {
    writers = try modelNames.enumerated().map { index, name in
        missing[index] ? try CheckpointWriter(outputPath: directory + "/" + name, tensors: outputTensors, shardSizeLimit: shardSizeLimit) : nil
    }
} catch { fail("\(error)") }

// MARK: - Values

enum Values {
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 { // splitmix64's finaliser
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Unit-variance, zero-mean sum of the four 16-bit fields of `bits`.
    @inline(__always)
    static func normalish(_ bits: UInt64) -> Float {
        let sum = (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48)
        return (Float(UInt32(truncatingIfNeeded: sum)) - 131_070) * (1.732_050_8 / 65_536)
    }

    /// One stream per (seed, model, tensor).
    static func streamKey(seed: UInt64, model: Int, tensor: Int) -> UInt64 {
        let mixedSeed = seed &* 0x9E37_79B9_7F4A_7C15
        let mixedModel = UInt64(model) &* 0xD1B5_4A32_D192_ED03
        let mixedTensor = UInt64(tensor) &* 0x8CB9_2BA7_2F3D_8DD7
        return mix(mixedSeed &+ mixedModel &+ mixedTensor)
    }

    /// A heavy-tailed step: a normal-ish draw over the root mean square of
    /// three more (Student's t with 3 degrees of freedom, near enough).
    @inline(__always)
    static func heavyTailed(_ key: UInt64) -> Float {
        let numerator = normalish(mix(key))
        var squares: Float = 0
        for draw in 1...3 {
            let value = normalish(mix(key &+ UInt64(draw) &* 0xA076_1D64_78BD_642F))
            squares += value * value
        }
        return numerator / max(0.05, (squares / 3).squareRoot())
    }

    /// A realistic fine-tune's change to one element (see the header):
    /// `unchanged` of them exactly zero, the rest a heavy-tailed step plus
    /// the rank-8 part `lowRank`.
    @inline(__always)
    static func realisticStep(_ key: UInt64, unchanged: Float, lowRank: Float) -> Float {
        let draw = mix(key ^ 0x5851_F42D_4C95_7F2D)
        let uniform = Float(UInt32(truncatingIfNeeded: draw >> 40)) / Float(1 << 24)
        return uniform < unchanged ? 0 : 2e-4 * heavyTailed(key) + lowRank
    }

    /// The rank-8 factors of a (model, tensor): u for a row, v for a column.
    @inline(__always)
    static func factor(_ key: UInt64, _ index: Int, _ rank: Int) -> Float {
        normalish(mix(key &+ UInt64(index &* 8 &+ rank) &* 0xE703_7ED1_A0B4_28DB))
    }

    struct Work: Sendable { let tensor: Int; let start: Int; let count: Int }
    static let chunkElements = 1 << 20

    /// Per worker: one BF16 output buffer per model.
    final class Buffers {
        let outputs: [UnsafeMutableBufferPointer<UInt16>]
        init() { outputs = (0..<3).map { _ in UnsafeMutableBufferPointer<UInt16>.allocate(capacity: Values.chunkElements) } }
        deinit { outputs.forEach { $0.deallocate() } }
    }

    /// Fills every tensor, in chunks of 1 Mi elements spread over the
    /// cores, and writes each chunk at its final offset in every writer.
    static func generate(
        tensors: [(name: String, elements: Int, columns: Int, isNorm: Bool)], writers: [CheckpointWriter?], seed: UInt64,
        realistic: Bool
    ) throws {
        var work: [Work] = []
        for (tensor, entry) in tensors.enumerated() {
            for start in stride(from: 0, to: entry.elements, by: chunkElements) {
                work.append(Work(tensor: tensor, start: start, count: min(chunkElements, entry.elements - start)))
            }
        }
        let items = work
        _ = try concurrentMap(count: items.count, threads: defaultThreadCount, makeState: { Buffers() }) { (index, buffers: inout Buffers) throws(any Error) -> Bool in
            let item = items[index]
            let entry = tensors[item.tensor]
            let mean: Float = entry.isNorm ? 1 : 0
            let baseKey = streamKey(seed: seed, model: 0, tensor: item.tensor)
            let aKey = streamKey(seed: seed, model: 1, tensor: item.tensor)
            let bKey = streamKey(seed: seed, model: 2, tensor: item.tensor)
            let base = buffers.outputs[0].baseAddress!, a = buffers.outputs[1].baseAddress!, b = buffers.outputs[2].baseAddress!
            // The rank-8 part: v for every column once per chunk, u per row.
            let columns = entry.columns
            var columnFactors = [Float](repeating: 0, count: realistic && !entry.isNorm ? 16 * columns : 0)
            for column in 0..<columnFactors.count / 16 {
                for rank in 0..<8 {
                    columnFactors[column * 16 + rank] = factor(aKey ^ 0x1234_5678, column, rank)
                    columnFactors[column * 16 + 8 + rank] = factor(bKey ^ 0x1234_5678, column, rank)
                }
            }
            var row = -1
            var rowFactors = [Float](repeating: 0, count: 16)
            for offset in 0..<item.count {
                let counter = UInt64(item.start + offset) &* 0x9E37_79B9_7F4A_7C15
                let baseBits = singleToBFloat16Bits((mean + 0.02 * normalish(mix(baseKey &+ counter))).bitPattern)
                let stored = Float(bitPattern: UInt32(baseBits) << 16)
                base[offset] = baseBits.littleEndian
                guard realistic else {
                    a[offset] = singleToBFloat16Bits((stored + 0.004 * normalish(mix(aKey &+ counter))).bitPattern).littleEndian
                    b[offset] = singleToBFloat16Bits((stored + 0.004 * normalish(mix(bKey &+ counter))).bitPattern).littleEndian
                    continue
                }
                var lowRank: (a: Float, b: Float) = (0, 0)
                if !columnFactors.isEmpty {
                    let element = item.start + offset
                    if element / columns != row {
                        row = element / columns
                        for rank in 0..<8 {
                            rowFactors[rank] = factor(aKey, row, rank)
                            rowFactors[8 + rank] = factor(bKey, row, rank)
                        }
                    }
                    let column = element % columns
                    for rank in 0..<8 {
                        lowRank.a += rowFactors[rank] * columnFactors[column * 16 + rank]
                        lowRank.b += rowFactors[8 + rank] * columnFactors[column * 16 + 8 + rank]
                    }
                    lowRank = (lowRank.a * (1e-4 / 2.828_427), lowRank.b * (1e-4 / 2.828_427))
                }
                let stepA = realisticStep(aKey &+ counter, unchanged: 0.3, lowRank: lowRank.a)
                let stepB = realisticStep(bKey &+ counter, unchanged: 0.5, lowRank: lowRank.b)
                a[offset] = singleToBFloat16Bits((stored + stepA).bitPattern).littleEndian
                b[offset] = singleToBFloat16Bits((stored + stepB).bitPattern).littleEndian
            }
            for (model, writer) in writers.enumerated() {
                guard let writer else { continue }
                let bytes = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffers.outputs[model][0..<item.count]))
                try writer.write(tensor: entry.name, offset: UInt64(item.start) * 2, bytes: bytes)
            }
            return true
        }
    }
}

let start = monotonicSeconds()
do {
    let tensors = zip(specs, elementCounts).map {
        (name: $0.name, elements: $1, columns: Int($0.shape.last ?? 1), isNorm: $0.isNorm)
    }
    try Values.generate(tensors: tensors, writers: writers, seed: seed, realistic: realistic)
} catch { fail("\(error)") }
let generated = monotonicSeconds()

for (index, writer) in writers.enumerated() {
    guard let writer else { continue }
    do {
        try writer.addFile(named: "config.json", bytes: Array(config.utf8))
        try writer.publish(manifest: Manifest(version: "bench-merge"), replacingExisting: true)
    } catch { fail("\(modelNames[index]): \(error)") }
}
let published = monotonicSeconds()
let written = modelNames.enumerated().filter { missing[$0.offset] }.map(\.element).joined(separator: ", ")
let total = twoDecimals(published - start)
let valuesTime = twoDecimals(generated - start)
let syncTime = twoDecimals(published - generated)
print("\(directory): wrote \(written) (\(expectedSize) bytes each) in \(total) s (values and writes \(valuesTime) s, sync and digests \(syncTime) s)")
