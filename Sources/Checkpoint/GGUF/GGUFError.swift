import Base

/// A GGUF file Smelt refuses (65): the file, the byte where the broken
/// rule shows, and the rule. Every refusal is one line.
public struct GGUFError: SmeltError, Equatable, Sendable {
    public let file: String
    /// Where in the file the offending field (or the missing bytes) starts.
    public let offset: UInt64
    public let problem: Problem

    public init(file: String, offset: UInt64, problem: Problem) {
        self.file = file
        self.offset = offset
        self.problem = problem
    }

    public var exitCode: ExitCode { .dataError }

    public var description: String { "\(file): byte \(offset): \(problem.text)" }

    /// The rules of the GGUF specification (and of llama.cpp's gguf.cpp,
    /// whose checks Smelt mirrors) that a file can break.
    public enum Problem: Equatable, Sendable {
        case truncated(what: String, needed: UInt64, available: UInt64)
        case notGGUF(found: [UInt8])
        case unsupportedVersion(UInt32)
        case bigEndian(version: UInt32)
        case headerTooLarge(limit: UInt64)
        case countBeyondFile(what: String, count: UInt64, minimumByteCount: Int, available: UInt64)
        case lengthBeyondFile(what: String, length: UInt64, available: UInt64)
        case tooLong(what: String, length: UInt64, limit: Int)
        case empty(what: String)
        case invalidUTF8(what: String)
        case duplicateKey(String)
        case unknownValueType(key: String, type: UInt32)
        case invalidBool(key: String, value: UInt8)
        case arrayTooDeep(key: String, limit: Int)
        case alignmentNotUInt32(found: GGUFValueType)
        case alignmentNotPowerOfTwo(UInt32)
        case nulInTensorName(String)
        case duplicateTensorName(String)
        case tooManyDimensions(tensor: String, count: UInt32, limit: Int)
        case shapeTooLarge(tensor: String, dimensions: [UInt64])
        case unknownTensorType(tensor: String, type: UInt32)
        case rowNotWholeBlocks(tensor: String, type: GGMLType, rowLength: UInt64)
        case offsetMisaligned(tensor: String, offset: UInt64, alignment: UInt64)
        case offsetOverlaps(tensor: String, offset: UInt64, expected: UInt64)
        case offsetGap(tensor: String, offset: UInt64, expected: UInt64)
        case dataBeyondFile(tensor: String, end: UInt64, fileSize: UInt64)
        case trailingBytes(count: UInt64)
        case notSupportedYet(tensor: String, type: GGMLType)

        /// What is wrong, in words, without the file and offset.
        public var text: String {
            switch self {
            case .truncated(let what, let needed, let available):
                "file ends inside \(what): needs \(needed) bytes, \(available) left"
            case .notGGUF(let found):
                "not a GGUF file: starts with \(found.map { hexByte($0) }.joined(separator: " ")), not \"GGUF\""
            case .unsupportedVersion(let version):
                "GGUF version \(version) is not supported (only versions 2 and 3)"
            case .bigEndian(let version):
                "GGUF version \(version.byteSwapped) stored big-endian; only little-endian files are supported"
            case .headerTooLarge(let limit):
                "metadata and tensor infos run past byte \(limit), the most Smelt reads as a header"
            case .countBeyondFile(let what, let count, let minimumByteCount, let available):
                "\(what) \(count) needs at least \(minimumByteCount) bytes each, but only \(available) bytes are left"
            case .lengthBeyondFile(let what, let length, let available):
                "\(what) is \(length) bytes long, but only \(available) bytes are left"
            case .tooLong(let what, let length, let limit):
                "\(what) is \(length) bytes long, over the limit of \(limit)"
            case .empty(let what):
                "\(what) is empty"
            case .invalidUTF8(let what):
                "\(what) is not valid UTF-8"
            case .duplicateKey(let key):
                "metadata key \"\(key)\" appears twice"
            case .unknownValueType(let key, let type):
                "metadata \"\(key)\" has unknown value type \(type) (known: 0–12)"
            case .invalidBool(let key, let value):
                "metadata \"\(key)\" holds a bool of \(value), not 0 or 1"
            case .arrayTooDeep(let key, let limit):
                "metadata \"\(key)\" nests arrays deeper than \(limit) levels"
            case .alignmentNotUInt32(let found):
                "general.alignment must be a uint32, found a \(found.name)"
            case .alignmentNotPowerOfTwo(let alignment):
                "general.alignment is \(alignment), not a power of two"
            case .nulInTensorName(let name):
                "tensor name \"\(name)\" holds a NUL byte"
            case .duplicateTensorName(let name):
                "tensor \"\(name)\" appears twice"
            case .tooManyDimensions(let tensor, let count, let limit):
                "tensor \"\(tensor)\" has \(count) dimensions, more than \(limit)"
            case .shapeTooLarge(let tensor, let dimensions):
                "tensor \"\(tensor)\" has dimensions \(dimensions), more elements or bytes than 64-bit sizes hold"
            case .unknownTensorType(let tensor, let type):
                "tensor \"\(tensor)\" has unknown ggml type \(type)"
            case .rowNotWholeBlocks(let tensor, let type, let rowLength):
                "tensor \"\(tensor)\" has rows of \(rowLength) elements, not a multiple of \(type.name)'s block of "
                    + "\(type.blockElementCount)"
            case .offsetMisaligned(let tensor, let offset, let alignment):
                "tensor \"\(tensor)\" has data offset \(offset), not a multiple of the alignment \(alignment)"
            case .offsetOverlaps(let tensor, let offset, let expected):
                "tensor \"\(tensor)\" has data offset \(offset), inside the previous tensor or its padding "
                    + "(expected \(expected))"
            case .offsetGap(let tensor, let offset, let expected):
                "tensor \"\(tensor)\" has data offset \(offset), leaving a gap after the previous tensor "
                    + "(expected \(expected))"
            case .dataBeyondFile(let tensor, let end, let fileSize):
                "tensor \"\(tensor)\" ends at byte \(end), past the end of the \(fileSize)-byte file"
            case .trailingBytes(let count):
                "\(count) bytes follow the last tensor and its padding"
            case .notSupportedYet(let tensor, let type):
                "tensor \"\(tensor)\" has ggml type \(type.name), which Smelt cannot decode (not supported yet)"
            }
        }
    }
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
