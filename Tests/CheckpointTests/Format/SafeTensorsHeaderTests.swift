import Base
import Checkpoint
import Testing

/// One malformed file and the error it must raise.
struct MalformedHeaderCase: CustomTestStringConvertible, Sendable {
    let rule: String
    let bytes: [UInt8]
    let expected: Expected

    enum Expected: Sendable {
        case exactly(CheckpointError)
        /// A JSON error whose message contains this text.
        case malformedJSON(containing: String)
        /// A malformed-entry error on this tensor whose message contains this text.
        case malformedEntry(tensor: String, containing: String)
    }

    var testDescription: String { rule }

    init(_ rule: String, json: String, dataCount: Int = 0, _ expected: Expected) {
        self.rule = rule
        self.bytes = TestSupport.safetensorsBytes(json: json, dataCount: dataCount)
        self.expected = expected
    }

    init(_ rule: String, bytes: [UInt8], _ expected: Expected) {
        self.rule = rule
        self.bytes = bytes
        self.expected = expected
    }
}

private let file = "t.safetensors"
private func entry(_ name: String, _ dtype: String = "F32", _ shape: String = "[1]", _ offsets: String = "[0,4]") -> String {
    "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
}

let malformedHeaderCases: [MalformedHeaderCase] = [
    .init("file shorter than the 8-byte length", bytes: [1, 2, 3], .exactly(.fileTooSmall(file: file, size: 3))),
    .init("header length over 100,000,000", bytes: [0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0] + Array("{}".utf8),
          .exactly(.headerTooLarge(file: file, headerLength: 100_000_001, limit: 100_000_000))),
    .init("header length past the end of the file", bytes: [100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
          .exactly(.headerBeyondFile(file: file, headerLength: 100, fileSize: 10))),
    .init("header starts with a space, not '{'", json: " {}", .exactly(.headerNotObject(file: file))),
    .init("header is an array", json: "[]", .exactly(.headerNotObject(file: file))),
    .init("empty header", json: "", .exactly(.headerNotObject(file: file))),
    .init("truncated JSON", json: "{\"a\":", .malformedJSON(containing: "unexpected end")),
    .init("duplicate tensor names", json: "{\(entry("a")),\(entry("a", "F32", "[1]", "[4,8]"))}", dataCount: 8,
          .malformedJSON(containing: "duplicate key \"a\"")),
    // Swift strings compare by canonical equivalence, so "é" and "e\u{0301}"
    // are one name to every dictionary downstream: refused rather than conflated.
    .init("names equal under Unicode canonical equivalence", json: "{\(entry("\u{00E9}")),\(entry("e\u{0301}", "F32", "[1]", "[4,8]"))}", dataCount: 8,
          .malformedJSON(containing: "duplicate key")),
    .init("duplicate metadata keys", json: "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", .malformedJSON(containing: "duplicate key \"k\"")),
    .init("data after the JSON that is not a space", json: "{}x", .malformedJSON(containing: "after the JSON value")),
    .init("newline padding instead of spaces", json: "{}\n", .malformedJSON(containing: "after the JSON value")),
    .init("name that is not UTF-8", bytes: [8, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x7B, 0x7D, 0x7D],
          .malformedJSON(containing: "UTF-8")),
    .init("control character in a string", json: "{\"a\u{01}\":{}}", .malformedJSON(containing: "control character")),
    .init("nesting deeper than the limit", json: "{\"__metadata__\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}",
          .malformedJSON(containing: "nesting deeper")),
    .init("shape array too long to be a shape", json: "{\(entry("a", "F32", "[" + Array(repeating: "1", count: 1025).joined(separator: ",") + "]"))}", dataCount: 4,
          .malformedJSON(containing: "array longer than 1024 elements")),
    .init("leading zeros in a number", json: "{\(entry("a", "F32", "[01]"))}", dataCount: 4, .malformedJSON(containing: "leading zeros")),
    .init("metadata value that is not a string", json: "{\"__metadata__\":{\"format\":1}}", .exactly(.metadataNotStrings(file: file, key: "format"))),
    .init("metadata that is not an object", json: "{\"__metadata__\":\"pt\"}", .exactly(.metadataNotStrings(file: file, key: "__metadata__"))),
    .init("empty tensor name", json: "{\(entry(""))}", dataCount: 4, .exactly(.emptyTensorName(file: file))),
    .init("entry that is not an object", json: "{\"a\":[1]}", .malformedEntry(tensor: "a", containing: "must be an object")),
    .init("entry without dtype", json: "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", dataCount: 4, .malformedEntry(tensor: "a", containing: "missing field \"dtype\"")),
    .init("entry without shape", json: "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", dataCount: 4, .malformedEntry(tensor: "a", containing: "missing field \"shape\"")),
    .init("entry without data_offsets", json: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", .malformedEntry(tensor: "a", containing: "missing field \"data_offsets\"")),
    .init("entry with an unknown field", json: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", dataCount: 4,
          .malformedEntry(tensor: "a", containing: "unknown field \"extra\"")),
    .init("dtype that is not a string", json: "{\(entry("a").replacingOccurrences("\"F32\"", "32"))}", dataCount: 4, .malformedEntry(tensor: "a", containing: "dtype must be a string")),
    .init("dtype outside the closed list", json: "{\(entry("a", "F128"))}", dataCount: 4, .exactly(.unknownDType(file: file, tensor: "a", dtype: "F128"))),
    .init("lower-case dtype", json: "{\(entry("a", "f32"))}", dataCount: 4, .exactly(.unknownDType(file: file, tensor: "a", dtype: "f32"))),
    .init("offset written as a float", json: "{\(entry("a", "F32", "[1]", "[0.0,4]"))}", dataCount: 4,
          .malformedEntry(tensor: "a", containing: "unsigned integers, found the number 0.0")),
    .init("negative shape", json: "{\(entry("a", "F32", "[-1]"))}", dataCount: 4, .malformedEntry(tensor: "a", containing: "found the number -1")),
    .init("shape beyond 64 bits", json: "{\(entry("a", "F32", "[18446744073709551616]"))}", dataCount: 4,
          .malformedEntry(tensor: "a", containing: "found the number 18446744073709551616")),
    .init("shape that is not an array", json: "{\(entry("a", "F32", "4"))}", dataCount: 4, .malformedEntry(tensor: "a", containing: "shape must be an array")),
    .init("three data_offsets", json: "{\(entry("a", "F32", "[1]", "[0,4,8]"))}", dataCount: 4, .malformedEntry(tensor: "a", containing: "exactly 2")),
    .init("offsets that end before they begin", json: "{\(entry("a", "F32", "[1]", "[4,0]"))}", dataCount: 4,
          .exactly(.offsetsReversed(file: file, tensor: "a", begin: 4, end: 0))),
    .init("byte count that disagrees with shape and dtype", json: "{\(entry("a", "F32", "[2]", "[0,4]"))}", dataCount: 4,
          .exactly(.byteCountMismatch(file: file, tensor: "a", expected: 8, found: 4))),
    .init("size that overflows 64 bits", json: "{\(entry("a", "F32", "[2305843009213693952]", "[0,4]"))}", dataCount: 4,
          .exactly(.sizeOverflow(file: file, tensor: "a"))),
    .init("element count beyond Int", json: "{\(entry("a", "F32", "[4611686018427387904,8]", "[0,4]"))}", dataCount: 4,
          .exactly(.shapeTooLarge(file: file, tensor: "a", shape: [4_611_686_018_427_387_904, 8]))),
    .init("zero-length tensor with a dimension beyond Int", json: "{\(entry("a", "F32", "[0,18446744073709551615]", "[0,0]"))}",
          .exactly(.shapeTooLarge(file: file, tensor: "a", shape: [0, 18_446_744_073_709_551_615]))),
    .init("zero-length tensor whose other dimensions multiply beyond Int",
          json: "{\(entry("a", "BF16", "[4294967296,0,4294967296]", "[0,0]"))}",
          .exactly(.shapeTooLarge(file: file, tensor: "a", shape: [4_294_967_296, 0, 4_294_967_296]))),
    .init("F4 tensor that is not a whole number of bytes", json: "{\(entry("a", "F4", "[3]", "[0,2]"))}", dataCount: 2,
          .exactly(.sizeOverflow(file: file, tensor: "a"))),
    .init("overlapping tensors", json: "{\(entry("a", "F32", "[2]", "[0,8]")),\(entry("b", "F32", "[2]", "[4,12]"))}", dataCount: 12,
          .exactly(.offsetsOverlap(file: file, tensor: "b", expected: 8, found: 4))),
    .init("gap between tensors", json: "{\(entry("a", "F32", "[1]", "[0,4]")),\(entry("b", "F32", "[1]", "[8,12]"))}", dataCount: 12,
          .exactly(.offsetsGap(file: file, tensor: "b", expected: 4, found: 8))),
    .init("first tensor not at offset 0", json: "{\(entry("a", "F32", "[1]", "[4,8]"))}", dataCount: 8,
          .exactly(.offsetsGap(file: file, tensor: "a", expected: 0, found: 4))),
    .init("truncated data section", json: "{\(entry("a", "F32", "[2]", "[0,8]"))}", dataCount: 5,
          .exactly(.dataSizeMismatch(file: file, tensorsEnd: 8, dataSize: 5))),
    .init("trailing bytes after the last tensor", json: "{\(entry("a"))}", dataCount: 6,
          .exactly(.dataSizeMismatch(file: file, tensorsEnd: 4, dataSize: 6))),
    .init("data but no tensors", json: "{}", dataCount: 4, .exactly(.dataSizeMismatch(file: file, tensorsEnd: 0, dataSize: 4))),
]

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Suite struct SafeTensorsHeaderTests {
    @Test(arguments: malformedHeaderCases)
    func rejectsMalformedFile(_ testCase: MalformedHeaderCase) {
        do {
            _ = try TestSupport.parse(testCase.bytes)
            Issue.record("accepted a file with \(testCase.rule)")
        } catch {
            switch testCase.expected {
            case .exactly(let expected):
                #expect(error == expected)
            case .malformedJSON(let text):
                guard case .malformedJSON(let errorFile, _, let message) = error else {
                    Issue.record("expected a JSON error, got \(error)")
                    return
                }
                #expect(errorFile == file)
                #expect(message.contains(text), "message: \(message)")
            case .malformedEntry(let tensor, let text):
                guard case .malformedEntry(let errorFile, let errorTensor, let message) = error else {
                    Issue.record("expected a malformed entry, got \(error)")
                    return
                }
                #expect(errorFile == file && errorTensor == tensor)
                #expect(message.contains(text), "message: \(message)")
            }
            #expect(error.description.hasPrefix(file + ": "), "every error names the file first")
        }
    }

    @Test func reportsJSONErrorsAtTheirByteInFile() throws {
        // Offset 8 + 5: the 8-byte length, then the bad character.
        let bytes = TestSupport.safetensorsBytes(json: "{\"a\":x}", dataCount: 0)
        #expect(throws: CheckpointError.malformedJSON(file: file, offset: 13, message: "unexpected character 'x'")) {
            try TestSupport.parse(bytes)
        }
    }

    @Test func acceptsScalar() throws {
        let header = try TestSupport.parse(TestSupport.safetensorsBytes(json: "{\(entry("s", "F32", "[]"))}", dataCount: 4))
        #expect(header.tensors.map(\.shape) == [[]])
        #expect(header.tensors[0].elementCount == 1)
    }

    @Test func acceptsZeroLengthTensors() throws {
        let json = "{\(entry("empty", "F32", "[0,4]", "[0,0]")),\(entry("a", "F32", "[1]", "[0,4]")),\(entry("tail", "BF16", "[3,0]", "[4,4]"))}"
        let header = try TestSupport.parse(TestSupport.safetensorsBytes(json: json, dataCount: 4))
        #expect(header.tensors.map(\.name) == ["empty", "a", "tail"])
        #expect(header.tensors.map(\.byteCount) == [0, 4, 0])
    }

    @Test func acceptsEntriesOutOfOffsetOrder() throws {
        let json = "{\(entry("second", "F32", "[1]", "[4,8]")),\(entry("first", "F32", "[1]", "[0,4]"))}"
        let header = try TestSupport.parse(TestSupport.safetensorsBytes(json: json, dataCount: 8))
        #expect(header.tensors.map(\.name) == ["first", "second"], "tensors come back in offset order")
    }

    @Test func acceptsUnpaddedHeaderAndSpacePadding() throws {
        let unpadded = "{\(entry("a"))}"
        #expect(unpadded.utf8.count % 8 != 0)
        #expect(try TestSupport.parse(TestSupport.safetensorsBytes(json: unpadded, dataCount: 4)).dataStart == UInt64(8 + unpadded.utf8.count))
        let padded = unpadded + "   "
        #expect(try TestSupport.parse(TestSupport.safetensorsBytes(json: padded, dataCount: 4)).headerLength == UInt64(padded.utf8.count))
    }

    @Test func acceptsEmptyHeaderWithNoData() throws {
        #expect(try TestSupport.parse(TestSupport.safetensorsBytes(json: "{}", dataCount: 0)).tensors.isEmpty)
    }

    @Test func keepsMetadataInFileOrder() throws {
        let json = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"\\u00e9\\ud83d\\ude00\"},\(entry("a"))}"
        let header = try TestSupport.parse(TestSupport.safetensorsBytes(json: json, dataCount: 4))
        #expect(header.metadata.map(\.key) == ["format", "note"])
        #expect(header.metadataValue("note") == "é😀")
    }

    @Test(arguments: DType.allCases)
    func acceptsEveryDTypeOfTheClosedList(_ dtype: DType) throws {
        // Four elements of 4 or 6 bits are whole bytes too.
        let bytes = Int(dtype.byteCount(shape: [4]) ?? 0)
        let json = "{\(entry("t", dtype.rawValue, "[4]", "[0,\(bytes)]"))}"
        let header = try TestSupport.parse(TestSupport.safetensorsBytes(json: json, dataCount: bytes))
        #expect(header.tensors[0].dtype == dtype)
        #expect(header.tensors[0].byteCount == UInt64(dtype.bitsPerElement * 4 / 8))
    }
}
