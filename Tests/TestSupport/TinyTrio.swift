import Base

/// Three tiny Llama models of one shape for merge searches: `base` is the
/// committed `model/tiny-llama-bf16` fixture, `expert-a` and `expert-b`
/// the same with the low three bits of every BF16 element's mantissa
/// replaced by reproducible random bits (task vectors of a few percent,
/// different per expert). Each folder has config.json and tokenizer.json.
public enum TinyTrio {
    public static let names = ["base", "expert-a", "expert-b"]

    /// Writes the three folders into `folder`.
    public static func make(in folder: String) throws {
        let fixture = TestFiles.fixture("model/tiny-llama-bf16")
        let weights = try TestFiles.read(fixture + "/model.safetensors")
        let headerLength = weights.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let dataStart = 8 + headerLength
        for (index, name) in names.enumerated() {
            let path = folder + "/" + name
            try FileSystem.createDirectory(path)
            for file in ["config.json", "tokenizer.json"] {
                try TestFiles.write(try TestFiles.read(fixture + "/" + file), to: path + "/" + file)
            }
            var bytes = weights
            if index > 0 {
                // The low byte of each little-endian BF16 element holds the mantissa's low bits.
                let noise = TestFiles.randomBytes(count: (bytes.count - dataStart) / 2, seed: UInt64(index))
                for element in 0..<noise.count {
                    let at = dataStart + 2 * element
                    bytes[at] = (bytes[at] & 0xF8) | (noise[element] & 0x07)
                }
            }
            try TestFiles.write(bytes, to: path + "/model.safetensors")
        }
    }
}
