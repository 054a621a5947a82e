import Checkpoint

/// Fuzzes `GGUFHeader.parse(file:fileBytes:)` with whole files, then
/// dequantizes every decodable tensor from the same bytes.
///
/// Refusing an input with a `GGUFError` is fine; what must hold is that
/// nothing crashes or reads outside the buffer (AddressSanitizer watches),
/// that a refusal names the file and a byte no further than its end, that
/// an accepted header obeys the layout rules, that writing the parsed
/// header back gives the file's header bytes exactly (GGUF has one
/// encoding per value), and that decoding block by block gives what
/// decoding all at once gives.
public enum GGUFTarget {
    public static func run(_ input: UnsafeRawBufferPointer) {
        let header: GGUFHeader
        do {
            header = try GGUFHeader.parse(file: "fuzz.gguf", fileBytes: input)
        } catch {
            invariant(error.offset <= UInt64(input.count), "error offset \(error.offset) outside \(input.count) bytes")
            // Names in messages may hold newlines; `smelt` escapes them when it prints.
            invariant(error.message.hasPrefix("fuzz.gguf: byte \(error.offset): "), "message \(error.message)")
            return
        }
        checkLayout(header, fileSize: UInt64(input.count))
        checkMetadata(header)
        let written = GGUFEncoder.header(header)
        invariant(
            written.elementsEqual(input.prefix(Int(header.headerEnd))), "the header does not write back byte for byte")
        for tensor in header.tensors where tensor.type.isDecodable {
            let start = Int(header.dataStart + tensor.offset)
            checkDecoding(tensor, UnsafeRawBufferPointer(rebasing: input[start..<start + Int(tensor.byteCount)]))
        }
    }

    static func checkLayout(_ header: GGUFHeader, fileSize: UInt64) {
        let alignment = header.alignment
        invariant(header.version == 2 || header.version == 3, "accepted version \(header.version)")
        invariant(alignment > 0 && alignment & (alignment - 1) == 0, "alignment \(alignment) is not a power of two")
        invariant(header.dataStart % alignment == 0, "data starts at \(header.dataStart), not aligned")
        invariant(header.dataStart - header.headerEnd < alignment, "more padding than the alignment before the data")
        var names = Set<[UInt8]>()
        var expected: UInt64 = 0
        var end = header.headerEnd
        for tensor in header.tensors {
            let name = Array(tensor.name.utf8)
            invariant(!name.isEmpty && name.count <= 64 && !name.contains(0), "accepted tensor name \(name)")
            invariant(names.insert(name).inserted, "tensor \"\(tensor.name)\" accepted twice")
            invariant(tensor.dimensions.count <= 4, "\(tensor.dimensions.count) dimensions accepted")
            invariant(tensor.elementCount == tensor.dimensions.reduce(1, *), "element count of \(tensor.name)")
            invariant((tensor.dimensions.first ?? 1) % tensor.type.blockElementCount == 0, "partial block accepted")
            let blocks = UInt64(tensor.elementCount / tensor.type.blockElementCount)
            invariant(tensor.byteCount == blocks * UInt64(tensor.type.blockByteCount), "byte count of \(tensor.name)")
            invariant(tensor.offset == expected, "\(tensor.name) at \(tensor.offset), expected \(expected)")
            end = header.dataStart + tensor.offset + tensor.byteCount
            invariant(end <= fileSize, "\(tensor.name) ends at \(end), past the file's \(fileSize) bytes")
            expected = (tensor.offset + tensor.byteCount + alignment - 1) / alignment * alignment
        }
        invariant(fileSize >= end && fileSize - end < alignment, "file ends at \(fileSize), the data at \(end)")
    }

    static func checkMetadata(_ header: GGUFHeader) {
        var keys = Set<String>()
        for entry in header.metadata.entries {
            invariant(!entry.key.isEmpty, "empty key accepted")
            invariant(keys.insert(entry.key).inserted, "key \"\(entry.key)\" accepted twice")
        }
        if let stated = header.metadata["general.alignment"] {
            invariant(stated == .uint32(UInt32(header.alignment)), "general.alignment \(stated) not applied")
        } else {
            invariant(header.alignment == 32, "alignment \(header.alignment) without general.alignment")
        }
    }

    /// Whole tensor at once, then in pieces of one to three blocks: the same
    /// bits (any NaN matching any NaN).
    static func checkDecoding(_ tensor: GGUFTensorInfo, _ bytes: UnsafeRawBufferPointer) {
        let type = tensor.type
        var whole = [Float](repeating: 0, count: tensor.elementCount)
        let decoded = whole.withUnsafeMutableBufferPointer { type.dequantize(bytes, into: $0) }
        invariant(decoded, "\(type.name) is decodable but dequantize refused it")
        var pieces = [Float](repeating: 0, count: tensor.elementCount)
        var block = 0
        let blockCount = tensor.elementCount / type.blockElementCount
        while block < blockCount {
            let count = min(blockCount - block, block % 3 + 1)
            let source = UnsafeRawBufferPointer(
                rebasing: bytes[block * type.blockByteCount..<(block + count) * type.blockByteCount])
            _ = pieces.withUnsafeMutableBufferPointer { buffer in
                type.dequantize(
                    source,
                    into: UnsafeMutableBufferPointer(
                        rebasing: buffer[block * type.blockElementCount..<(block + count) * type.blockElementCount]))
            }
            block += count
        }
        for (first, second) in zip(whole, pieces) {
            invariant(
                first.bitPattern == second.bitPattern || (first.isNaN && second.isNaN),
                "\(tensor.name): block-by-block decoding differs from whole-tensor decoding")
        }
    }
}
