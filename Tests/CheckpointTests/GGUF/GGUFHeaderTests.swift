import TestSupport
import Checkpoint
import Testing

/// One metadata value of every kind the format has, arrays of every
/// element type (empty ones included) and arrays of arrays.
let everyMetadataValue: [(String, GGUFValue)] = [
    ("u8", .uint8(255)), ("i8", .int8(-128)), ("u16", .uint16(65535)), ("i16", .int16(-32768)),
    ("u32", .uint32(4_294_967_295)), ("i32", .int32(-2_147_483_648)), ("u64", .uint64(.max)), ("i64", .int64(.min)),
    ("f32", .float32(-0x1p-140)), ("f64", .float64(.greatestFiniteMagnitude)), ("yes", .bool(true)),
    ("no", .bool(false)), ("text", .string("caf\u{E9} \u{1F600}\ttab")), ("empty.text", .string("")),
    ("a.u8", .array(.uint8([0, 255]))), ("a.i8", .array(.int8([-1, 1]))), ("a.u16", .array(.uint16([1, 65535]))),
    ("a.i16", .array(.int16([-2, 2]))), ("a.u32", .array(.uint32([3]))), ("a.i32", .array(.int32([-3, 0]))),
    ("a.u64", .array(.uint64([.max]))), ("a.i64", .array(.int64([.min, .max]))),
    ("a.f32", .array(.float32([0.25, -.infinity]))), ("a.f64", .array(.float64([1e300]))),
    ("a.bool", .array(.bool([true, false]))), ("a.string", .array(.string(["x", "", "\u{4E2D}"]))),
    ("a.empty", .array(.int64([]))), ("a.empty.strings", .array(.string([]))),
    ("a.nested", .array(.array([.uint8([1]), .string(["s"]), .array([.float64([2])]), .bool([])]))),
]

@Suite struct GGUFHeaderTests {
    @Test func roundTripsEveryMetadataType() throws {
        let header = try parseGGUF(GGUFBuilder.file(metadata: everyMetadataValue))
        #expect(header.metadata.count == everyMetadataValue.count)
        for ((key, value), entry) in zip(everyMetadataValue, header.metadata.entries) {
            #expect(entry.key == key)
            #expect(entry.value == value)
            #expect(header.metadata[key] == value)
        }
        #expect(header.metadata["missing"] == nil)
    }

    @Test func typedAccessorsReadValues() throws {
        let header = try parseGGUF(GGUFBuilder.file(metadata: everyMetadataValue))
        #expect(header.metadata["u32"]?.intValue == 4_294_967_295)
        #expect(header.metadata["u64"]?.intValue == nil)
        #expect(header.metadata["i8"]?.intValue == -128)
        #expect(header.metadata["f32"]?.doubleValue == -0x1p-140)
        #expect(header.metadata["yes"]?.boolValue == true)
        #expect(header.metadata["text"]?.stringValue == "caf\u{E9} \u{1F600}\ttab")
        #expect(header.metadata["a.string"]?.arrayValue?.strings == ["x", "", "\u{4E2D}"])
        #expect(header.metadata["a.i16"]?.arrayValue?.ints == [-2, 2])
        #expect(header.metadata["a.u64"]?.arrayValue?.ints == nil)
        #expect(header.metadata["a.f32"]?.arrayValue?.floats == [0.25, -.infinity])
        #expect(header.metadata["a.nested"]?.arrayValue?.elementType == .array)
    }

    @Test func acceptsFileWithoutTensorsOrMetadata() throws {
        let header = try parseGGUF(GGUFBuilder.file())
        #expect(header.version == 3)
        #expect(header.tensors.isEmpty)
        #expect(header.headerEnd == 24)
        #expect(header.dataStart == 32)
    }

    @Test func acceptsFileWithoutTensorsPaddedToTheAlignment() throws {
        var builder = GGUFBuilder()
        builder.header()
        builder.pad()
        #expect(try parseGGUF(builder.bytes).tensors.isEmpty)
    }

    @Test func acceptsVersion2() throws {
        let tensors = [GGUFBuilder.Tensor(name: "w", type: .f32, dimensions: [3])]
        let header = try parseGGUF(GGUFBuilder.file(version: 2, tensors: tensors))
        #expect(header.version == 2)
        #expect(header.tensors.map(\.name) == ["w"])
    }

    @Test func acceptsAlignment64AndLaysTensorsOutOnIt() throws {
        let tensors = [
            GGUFBuilder.Tensor(name: "a", type: .f32, dimensions: [3]),
            GGUFBuilder.Tensor(name: "b", type: .q8_0, dimensions: [64, 2]),
            GGUFBuilder.Tensor(name: "c", type: .f16, dimensions: [5]),
        ]
        let header = try parseGGUF(GGUFBuilder.file(tensors: tensors, alignment: 64))
        #expect(header.alignment == 64)
        #expect(header.dataStart % 64 == 0)
        #expect(header.tensors.map(\.offset) == [0, 64, 64 + 192])
    }

    @Test func acceptsAlignmentOne() throws {
        let tensors = [
            GGUFBuilder.Tensor(name: "a", type: .f16, dimensions: [3]),
            GGUFBuilder.Tensor(name: "b", type: .q4_0, dimensions: [32]),
        ]
        let header = try parseGGUF(GGUFBuilder.file(tensors: tensors, alignment: 1))
        #expect(header.tensors.map(\.offset) == [0, 6])
    }

    /// ggml tensors of any rank up to 4: a scalar has no dimensions and one
    /// element; a zero dimension holds none; shapes come out row-major.
    @Test func acceptsScalarsEmptyTensorsAndFourDimensions() throws {
        let tensors = [
            GGUFBuilder.Tensor(name: "scalar", type: .f32, dimensions: []),
            GGUFBuilder.Tensor(name: "empty", type: .q4_K, dimensions: [0, 7]),
            GGUFBuilder.Tensor(name: "four", type: .bf16, dimensions: [2, 3, 4, 5]),
            GGUFBuilder.Tensor(name: "after", type: .i8, dimensions: [1]),
        ]
        let header = try parseGGUF(GGUFBuilder.file(tensors: tensors))
        #expect(header.tensors.map(\.shape) == [[], [7, 0], [5, 4, 3, 2], [1]])
        #expect(header.tensors.map(\.elementCount) == [1, 0, 120, 1])
        #expect(header.tensors.map(\.byteCount) == [4, 0, 240, 1])
        #expect(header.tensors.map(\.offset) == [0, 32, 32, 288])
    }

    @Test func acceptsLastTensorWithoutItsPadding() throws {
        let tensors = [GGUFBuilder.Tensor(name: "a", type: .f32, dimensions: [3])]
        let bytes = GGUFBuilder.file(tensors: tensors, padsLastTensor: false)
        let header = try parseGGUF(bytes)
        #expect(UInt64(bytes.count) == header.dataStart + 12)
    }

    @Test func acceptsNamesAndKeysAtTheirLengthLimits() throws {
        let name = String(repeating: "n", count: GGUFHeader.maximumTensorNameLength)
        let key = String(repeating: "k", count: GGUFHeader.maximumKeyLength)
        let tensors = [GGUFBuilder.Tensor(name: name, type: .f32, dimensions: [1])]
        let header = try parseGGUF(GGUFBuilder.file(metadata: [(key, .uint8(1))], tensors: tensors))
        #expect(header.tensors.first?.name == name)
        #expect(header.metadata[key] == .uint8(1))
    }

    @Test func acceptsArraysNestedToTheLimit() throws {
        var nested = GGUFArray.uint8([1])
        for _ in 1..<GGUFHeader.maximumArrayDepth { nested = .array([nested]) }
        let header = try parseGGUF(GGUFBuilder.file(metadata: [("deep", .array(nested))]))
        #expect(header.metadata["deep"] == .array(nested))
    }

    @Test func acceptsEveryKnownGGMLType() throws {
        let tensors = GGMLType.allCases.map {
            GGUFBuilder.Tensor(name: $0.name, type: $0, dimensions: [UInt64($0.blockElementCount) * 2])
        }
        let header = try parseGGUF(GGUFBuilder.file(tensors: tensors))
        for (tensor, type) in zip(header.tensors, GGMLType.allCases) {
            #expect(tensor.type == type)
            #expect(tensor.byteCount == UInt64(2 * type.blockByteCount))
        }
    }
}
