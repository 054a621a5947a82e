import Base
import Checkpoint
import Testing
import TestSupport

/// Files written by gguf-py's GGUFWriter (tools/make_gguf_references.py),
/// read through `GGUFFile` and `TensorReader`.
@Suite struct GGUFFileTests {
    static let fixtureNames = ["all-types.gguf", "alignment-64.gguf"]

    @Test func readsEveryMetadataTypeGGUFPyWrites() throws {
        let file = try GGUFFile(path: TestFiles.fixture("gguf/files/all-types.gguf"))
        let metadata = file.header.metadata
        #expect(metadata["general.architecture"] == .string("smelt-test"))
        #expect(metadata["test.uint8"] == .uint8(200))
        #expect(metadata["test.int8"] == .int8(-100))
        #expect(metadata["test.uint16"] == .uint16(60000))
        #expect(metadata["test.int16"] == .int16(-30000))
        #expect(metadata["test.uint32"] == .uint32(4_000_000_000))
        #expect(metadata["test.int32"] == .int32(-2_000_000_000))
        #expect(metadata["test.uint64"] == .uint64(1 << 63 + 5))
        #expect(metadata["test.int64"] == .int64(-(1 << 62)))
        #expect(metadata["test.float32"] == .float32(1.5))
        #expect(metadata["test.float64"] == .float64(-2.25))
        #expect(metadata["test.true"] == .bool(true))
        #expect(metadata["test.false"] == .bool(false))
        #expect(metadata["test.string"] == .string("h\u{E9}llo \u{2713} \u{1F600}"))
        #expect(metadata["test.int32s"] == .array(.int32([-1, 0, 7])))
        #expect(metadata["test.uint8s"] == .array(.uint8([1, 2, 255])))
        #expect(metadata["test.int16s"] == .array(.int16([-1, 0, 1])))
        #expect(metadata["test.uint64s"] == .array(.uint64([.max])))
        #expect(metadata["test.float64s"] == .array(.float64([0.1, -0.0])))
        #expect(metadata["test.float32s"] == .array(.float32([0.5, -1, 3.25])))
        #expect(metadata["test.strings"] == .array(.string(["a", "", "\u{FC}"])))
        #expect(metadata["test.bools"] == .array(.bool([true, false, true])))
        #expect(
            metadata["test.nested"] == .array(.array([.int32([1, 2]), .string(["x"]), .array([.float32([3.5])])])))
        #expect(file.header.alignment == 32)
    }

    @Test(arguments: fixtureNames)
    func describesTensorsAsGGUFPyDoes(_ name: String) throws {
        let file = try GGUFFile(path: TestFiles.fixture("gguf/files/\(name)"))
        let references = try #require(try ReferenceDigests.load("gguf/files.json")[name])
        #expect(file.tensorInfos.map(\.name) == references.map(\.name))
        for (info, reference) in zip(file.tensorInfos, references) {
            let type = try #require(file.header.tensors.first { $0.name == info.name }?.type)
            #expect(info.encodingName == reference.typeName)
            #expect(info.shape == reference.shape)
            #expect(info.elementCount == reference.shape.reduce(1, *))
            #expect(info.dtype == type.dtype)
            #expect(info.blockElementCount == type.blockElementCount)
            #expect(info.blockByteCount == type.blockByteCount)
            #expect(info.byteCount == UInt64(info.elementCount / type.blockElementCount * type.blockByteCount))
            #expect(info.isDecodable == type.isDecodable)
        }
    }

    @Test(arguments: fixtureNames)
    func decodesAsGGUFPyDoes(_ name: String) throws {
        let file = try GGUFFile(path: TestFiles.fixture("gguf/files/\(name)"))
        let references = try #require(try ReferenceDigests.load("gguf/files.json")[name])
        for (index, reference) in references.enumerated() where file.tensorInfos[index].isDecodable {
            let digest = try ReferenceDigests.decodedDigest(file, tensor: index, chunkElementCount: 256)
            #expect(digest == reference.digest, "\(reference.name)")
        }
    }

    @Test func alignment64FileHasScalarEmptyAndFourDimensionalTensors() throws {
        let file = try GGUFFile(path: TestFiles.fixture("gguf/files/alignment-64.gguf"))
        #expect(file.header.alignment == 64)
        #expect(file.header.metadata["general.alignment"] == .uint32(64))
        #expect(file.tensorInfos.map(\.shape) == [[], [0, 32], [2, 1, 3, 5], [1, 64]])
        #expect(file.header.tensors.map(\.offset) == [0, 64, 64, 192])
        var value: [Float] = [0]
        var scratch = [UInt8](repeating: 0, count: 4)
        try value.withUnsafeMutableBufferPointer { buffer in
            try scratch.withUnsafeMutableBytes {
                try file.decode(tensor: 0, elements: 0..<1, into: buffer, scratch: $0)
            }
        }
        #expect(value == [3.5])
    }

    @Test(arguments: ["tensor.iq4_nl", "tensor.i32"])
    func refusesToDecodeTypesNotSupportedYet(_ name: String) throws {
        let path = TestFiles.fixture("gguf/files/all-types.gguf")
        let file = try GGUFFile(path: path)
        let (index, tensor) = try #require(file.tensor(named: name))
        #expect(!file.tensorInfos[index].isDecodable)
        var values = [Float](repeating: 0, count: tensor.elementCount)
        var scratch = [UInt8](repeating: 0, count: Int(tensor.byteCount))
        let expected = GGUFError(
            file: path, offset: file.header.dataStart + tensor.offset,
            problem: .notSupportedYet(tensor: name, type: tensor.type))
        #expect(throws: expected) {
            try values.withUnsafeMutableBufferPointer { buffer in
                try scratch.withUnsafeMutableBytes {
                    try file.decode(tensor: index, elements: 0..<tensor.elementCount, into: buffer, scratch: $0)
                }
            }
        }
        #expect(expected.message.contains("not supported yet"))
        #expect(expected.message.contains(tensor.type.name))
    }

    @Test func readsRawBytesAtTheTensorsOffset() throws {
        let path = TestFiles.fixture("gguf/files/all-types.gguf")
        let file = try GGUFFile(path: path)
        let whole = try TestFiles.read(path)
        let (index, tensor) = try #require(file.tensor(named: "tensor.q4_k"))
        var bytes = [UInt8](repeating: 0, count: 100)
        try bytes.withUnsafeMutableBytes { try file.readRawBytes(ofTensor: index, 44..<144, into: $0) }
        let start = Int(file.header.dataStart + tensor.offset) + 44
        #expect(bytes == Array(whole[start..<start + 100]))
    }

    @Test func refusesAFileThatIsNotGGUF() throws {
        let path = TestFiles.fixture("models/llama-bf16-a/model.safetensors")
        #expect(throws: GGUFError.self) { try GGUFFile(path: path) }
    }
}
