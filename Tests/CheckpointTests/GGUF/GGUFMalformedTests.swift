import TestSupport
import Checkpoint
import Testing

/// One malformed GGUF file and the exact error it must raise.
struct MalformedGGUFCase: CustomTestStringConvertible, Sendable {
    let rule: String
    let bytes: [UInt8]
    let expected: GGUFError

    var testDescription: String { rule }

    /// `build` writes the file and returns where the error is and what it is.
    init(_ rule: String, _ build: (inout GGUFBuilder) -> (offset: UInt64, problem: GGUFError.Problem)) {
        var builder = GGUFBuilder()
        let (offset, problem) = build(&builder)
        self.rule = rule
        bytes = builder.bytes
        expected = GGUFError(file: "t.gguf", offset: offset, problem: problem)
    }
}

/// A file with one metadata entry whose key is "a" and whose value is
/// written by `value`; returns the offset of the value's type tag.
private func oneEntry(_ builder: inout GGUFBuilder, _ value: (inout GGUFBuilder) -> Void) -> UInt64 {
    builder.header(metadataCount: 1)
    builder.string("a")
    let typeOffset = builder.offset
    value(&builder)
    return typeOffset
}

let malformedGGUFCases: [MalformedGGUFCase] = [
    .init("empty file") { _ in (0, .truncated(what: "the magic", needed: 4, available: 0)) },
    .init("file cut inside the magic") { b in
        b.raw(Array("GG".utf8))
        return (0, .truncated(what: "the magic", needed: 4, available: 2))
    },
    .init("wrong magic") { b in
        b.raw(Array("GGML".utf8) + [3, 0, 0, 0])
        return (0, .notGGUF(found: Array("GGML".utf8)))
    },
    .init("file cut inside the version") { b in
        b.raw(Array("GGUF".utf8) + [3, 0])
        return (4, .truncated(what: "the version", needed: 4, available: 2))
    },
    .init("version 1") { b in
        b.header(version: 1); return (4, .unsupportedVersion(1))
    },
    .init("version 4") { b in
        b.header(version: 4); return (4, .unsupportedVersion(4))
    },
    .init("version 0") { b in
        b.header(version: 0); return (4, .unsupportedVersion(0))
    },
    .init("big-endian version 3") { b in
        b.header(version: 0x0300_0000)
        return (4, .bigEndian(version: 0x0300_0000))
    },
    .init("file cut inside the tensor count") { b in
        b.raw(Array("GGUF".utf8) + [3, 0, 0, 0, 0, 0, 0])
        return (8, .truncated(what: "tensor count", needed: 8, available: 3))
    },
    .init("file cut inside the metadata count") { b in
        b.raw(Array("GGUF".utf8) + [3, 0, 0, 0] + [UInt8](repeating: 0, count: 12))
        return (16, .truncated(what: "metadata count", needed: 8, available: 4))
    },
    .init("tensor count larger than the file can hold") { b in
        b.header(tensorCount: 1 << 62)
        return (8, .countBeyondFile(what: "tensor count", count: 1 << 62, minimumByteCount: 25, available: 8))
    },
    .init("metadata count larger than the file can hold") { b in
        b.header(metadataCount: UInt64.max)
        return (16, .countBeyondFile(what: "metadata count", count: .max, minimumByteCount: 14, available: 0))
    },
    .init("file cut inside a key's length") { b in
        b.header(metadataCount: 2)
        b.entry("k", .string(String(repeating: "v", count: 20)))
        let at = b.offset
        b.raw([1, 0, 0])
        return (at, .truncated(what: "the length of metadata key 1", needed: 8, available: 3))
    },
    .init("metadata count over the bytes left at 14 bytes an entry") { b in
        b.header(metadataCount: 1)
        b.string("")
        b.value(.uint8(1))
        return (16, .countBeyondFile(what: "metadata count", count: 1, minimumByteCount: 14, available: 13))
    },
    .init("key longer than 65535 bytes") { b in
        b.header(metadataCount: 1)
        b.u64(65_536)
        b.zeros(65_536)
        return (24, .tooLong(what: "metadata key 0", length: 65_536, limit: 65_535))
    },
    .init("key length past the end of the file") { b in
        b.header(metadataCount: 1)
        b.u64(100)
        b.raw(Array("abcdefgh".utf8))
        return (24, .lengthBeyondFile(what: "metadata key 0", length: 100, available: 8))
    },
    .init("empty key") { b in
        b.header(metadataCount: 1)
        b.entry("", .uint32(1))
        return (24, .empty(what: "metadata key 0"))
    },
    .init("key that is not UTF-8") { b in
        b.header(metadataCount: 1)
        b.string(bytes: [0x61, 0xFF])
        b.value(.uint8(1))
        return (32, .invalidUTF8(what: "metadata key 0"))
    },
    .init("key with an overlong UTF-8 encoding") { b in
        b.header(metadataCount: 1)
        b.string(bytes: [0xC0, 0xAF])
        b.value(.uint8(1))
        return (32, .invalidUTF8(what: "metadata key 0"))
    },
    .init("duplicate key") { b in
        b.header(metadataCount: 2)
        b.entry("a", .uint8(1))
        let second = b.offset
        b.entry("a", .uint32(2))
        return (second, .duplicateKey("a"))
    },
    .init("unknown value type") { b in
        let at = oneEntry(&b) {
            $0.u32(13); $0.zeros(4)
        }
        return (at, .unknownValueType(key: "a", type: 13))
    },
    .init("file cut inside a value") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.uint32.rawValue); $0.raw([1, 2])
        }
        return (at + 4, .truncated(what: "the value of \"a\"", needed: 4, available: 2))
    },
    .init("bool of 2") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.bool.rawValue); $0.raw([2])
        }
        return (at + 4, .invalidBool(key: "a", value: 2))
    },
    .init("string value past the end of the file") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.string.rawValue); $0.u64(1 << 40); $0.raw([0x61])
        }
        return (at + 4, .lengthBeyondFile(what: "the value of \"a\"", length: 1 << 40, available: 1))
    },
    .init("string value that is not UTF-8") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.string.rawValue); $0.string(bytes: [0xED, 0xA0, 0x80])
        }
        return (at + 12, .invalidUTF8(what: "the value of \"a\""))
    },
    .init("array count larger than the file can hold") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.array.rawValue)
            $0.u32(GGUFValueType.uint32.rawValue)
            $0.u64(1 << 61)
            $0.zeros(8)
        }
        return (
            at + 8,
            .countBeyondFile(
                what: "the element count of \"a\"", count: 1 << 61, minimumByteCount: 4, available: 8)
        )
    },
    .init("string array count over the bytes left at 8 bytes a string") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.array.rawValue)
            $0.u32(GGUFValueType.string.rawValue)
            $0.u64(3)
            $0.zeros(20)
        }
        return (
            at + 8,
            .countBeyondFile(
                what: "the element count of \"a\"", count: 3, minimumByteCount: 8, available: 20)
        )
    },
    .init("array of an unknown element type") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.array.rawValue); $0.u32(99); $0.u64(0)
        }
        return (at + 4, .unknownValueType(key: "a", type: 99))
    },
    .init("bool array holding a 2") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.array.rawValue); $0.array(.uint8([1, 0, 2]))
        }
        // The element type written as bool, over the uint8 tag the builder wrote.
        var patched = b.bytes
        patched[Int(at) + 4] = UInt8(GGUFValueType.bool.rawValue)
        b = GGUFBuilder()
        b.raw(patched)
        return (at + 18, .invalidBool(key: "a", value: 2))
    },
    .init("string in an array that is not UTF-8") { b in
        let at = oneEntry(&b) {
            $0.u32(GGUFValueType.array.rawValue)
            $0.u32(GGUFValueType.string.rawValue)
            $0.u64(2)
            $0.string("ok")
            $0.string(bytes: [0x80])
        }
        return (at + 34, .invalidUTF8(what: "element 1 of \"a\""))
    },
    .init("arrays nested 9 deep") { b in
        var nested = GGUFArray.uint8([1])
        for _ in 0..<8 { nested = .array([nested]) }
        let at = oneEntry(&b) { $0.value(.array(nested)) }
        // Each level is a type tag, an element type and a count: 4 + 12 per level.
        return (at + 4 + 8 * 12, .arrayTooDeep(key: "a", limit: 8))
    },
    .init("general.alignment as a uint64") { b in
        b.header(metadataCount: 1)
        b.string("general.alignment")
        let at = b.offset
        b.value(.uint64(32))
        return (at, .alignmentNotUInt32(found: .uint64))
    },
    .init("general.alignment as a string") { b in
        b.header(metadataCount: 1)
        b.string("general.alignment")
        let at = b.offset
        b.value(.string("32"))
        return (at, .alignmentNotUInt32(found: .string))
    },
    .init("general.alignment 0") { b in
        b.header(metadataCount: 1)
        b.string("general.alignment")
        let at = b.offset
        b.value(.uint32(0))
        return (at + 4, .alignmentNotPowerOfTwo(0))
    },
    .init("general.alignment 3") { b in
        b.header(metadataCount: 1)
        b.string("general.alignment")
        let at = b.offset
        b.value(.uint32(3))
        return (at + 4, .alignmentNotPowerOfTwo(3))
    },
]

@Suite struct GGUFMalformedTests {
    @Test(arguments: malformedGGUFCases + malformedGGUFTensorCases)
    func refusesMalformedFile(_ testCase: MalformedGGUFCase) {
        do {
            let header = try parseGGUF(testCase.bytes)
            Issue.record("accepted a file with \(testCase.rule): \(header.tensors.count) tensors")
        } catch {
            #expect(error == testCase.expected)
        }
    }

    @Test func refusesHeaderOverTheLimit() {
        var builder = GGUFBuilder()
        builder.header(metadataCount: 1)
        builder.entry("a", .string(String(repeating: "x", count: 100)))
        #expect(throws: GGUFError(file: "t.gguf", offset: 45, problem: .headerTooLarge(limit: 64))) {
            try parseGGUF(builder.bytes, headerLimit: 64)
        }
    }

    @Test func refusesArrayCountOverTheHeaderLimit() {
        var builder = GGUFBuilder()
        builder.header(metadataCount: 1)
        builder.entry("a", .array(.uint8([UInt8](repeating: 7, count: 100))))
        #expect(throws: GGUFError(file: "t.gguf", offset: 41, problem: .headerTooLarge(limit: 64))) {
            try parseGGUF(builder.bytes, headerLimit: 64)
        }
    }

    @Test func messagesNameTheFileAndTheByte() {
        for testCase in malformedGGUFCases + malformedGGUFTensorCases {
            let message = testCase.expected.message
            #expect(message.hasPrefix("t.gguf: byte \(testCase.expected.offset): "))
            #expect(!message.contains("\n"))
            #expect(testCase.expected.exitCode == .dataError)
        }
    }
}
