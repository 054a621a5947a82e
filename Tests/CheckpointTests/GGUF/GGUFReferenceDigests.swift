import Base
import Checkpoint
import Testing
import TestSupport

/// What tools/make_gguf_references.py recorded for one tensor with gguf-py.
struct ReferenceTensor: Equatable {
    let name: String
    let typeName: String
    /// Row-major, as gguf-py's numpy arrays have it.
    let shape: [Int]
    /// XXH3-64 of gguf-py's Float32 dequantization (little-endian bytes);
    /// nil where gguf-py cannot dequantize the type.
    let digest: UInt64?
}

enum ReferenceDigests {
    /// Fixtures/gguf/files.json or models.json: file name → tensors in file order.
    static func load(_ fixture: String) throws -> [String: [ReferenceTensor]] {
        let root = try JSONScanner.parse(try TestFiles.read(TestFiles.fixture(fixture)))
        guard case .object(let files) = root.value else { throw ReferenceError(fixture) }
        var result: [String: [ReferenceTensor]] = [:]
        for (file, node) in files {
            guard case .object(let tensors) = node.value else { throw ReferenceError(fixture) }
            result[file] = try tensors.map { name, entry throws in
                guard case .array(let fields) = entry.value, fields.count == 3,
                    case .string(let typeName) = fields[0].value, case .array(let dimensions) = fields[1].value
                else { throw ReferenceError(fixture) }
                let shape = try dimensions.map { node throws in
                    guard case .unsignedInteger(let value) = node.value else { throw ReferenceError(fixture) }
                    return Int(value)
                }
                var digest: UInt64?
                if case .string(let hex) = fields[2].value { digest = XXH3.parseHex(hex) }
                return ReferenceTensor(name: name, typeName: typeName, shape: shape, digest: digest)
            }
        }
        return result
    }

    /// XXH3-64 of tensor `index` decoded to Float32, streamed through a
    /// buffer of about `chunkElementCount` elements (whole blocks).
    static func decodedDigest(_ file: GGUFFile, tensor index: Int, chunkElementCount: Int = 1 << 20) throws -> UInt64 {
        let info = file.tensorInfos[index]
        let chunk = max(1, chunkElementCount / info.blockElementCount) * info.blockElementCount
        var values = [Float](repeating: 0, count: min(chunk, info.elementCount))
        var scratch = [UInt8](repeating: 0, count: info.scratchBytes(forElements: values.count))
        let hasher = XXH3Hasher()
        var start = 0
        while start < info.elementCount {
            let range = start..<min(info.elementCount, start + chunk)
            try values.withUnsafeMutableBufferPointer { buffer in
                try scratch.withUnsafeMutableBytes { raw in
                    let destination = UnsafeMutableBufferPointer(rebasing: buffer[0..<range.count])
                    try file.decode(tensor: index, elements: range, into: destination, scratch: raw)
                    hasher.update(UnsafeRawBufferPointer(destination))
                }
            }
            start = range.upperBound
        }
        return hasher.finalize()
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    let fixture: String
    init(_ fixture: String) { self.fixture = fixture }
    var description: String { "Fixtures/\(fixture) is not what tools/make_gguf_references.py writes" }
}
