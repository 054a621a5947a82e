import TestSupport
import Checkpoint

/// Header, one 32-byte string entry (so that a tensor count of 1 or 2 is
/// not refused before the tensor infos are reached), then `tensorCount`
/// tensor infos written by the caller.
private func tensorFile(_ builder: inout GGUFBuilder, tensorCount: UInt64 = 1) {
    builder.header(tensorCount: tensorCount, metadataCount: 1)
    builder.entry("p", .string(String(repeating: "p", count: 32)))
}

/// A file whose tensor infos are `infos` (name, type, ggml dimensions,
/// offset), padded, then `dataCount` bytes of data. Returns the offset of
/// each info's data-offset field and the data section's start.
private func laidOut(
    _ builder: inout GGUFBuilder, _ infos: [(String, GGMLType, [UInt64], UInt64)], dataCount: Int
) -> (offsetFields: [UInt64], dataStart: UInt64) {
    builder.header(tensorCount: UInt64(infos.count))
    var fields: [UInt64] = []
    for (name, type, dimensions, offset) in infos {
        builder.tensorInfo(name, type, dimensions, offset: offset)
        fields.append(builder.offset - 8)
    }
    builder.pad()
    let dataStart = builder.offset
    builder.zeros(dataCount)
    return (fields, dataStart)
}

let malformedGGUFTensorCases: [MalformedGGUFCase] = [
    .init("file cut inside a tensor name's length") { b in
        tensorFile(&b)
        let at = b.offset
        b.raw([1, 0, 0])
        return (at, .truncated(what: "the length of the name of tensor 0", needed: 8, available: 3))
    },
    .init("file cut inside the dimensions") { b in
        tensorFile(&b)
        b.string("a")
        b.u32(2)
        b.u64(32)
        let at = b.offset
        b.raw([1])
        return (at, .truncated(what: "the dimensions of tensor \"a\"", needed: 8, available: 1))
    },
    .init("file cut inside the type") { b in
        tensorFile(&b)
        b.string("a")
        b.u32(1)
        b.u64(32)
        let at = b.offset
        return (at, .truncated(what: "the type of tensor \"a\"", needed: 4, available: 0))
    },
    .init("file cut inside the data offset") { b in
        tensorFile(&b)
        b.string("a")
        b.u32(1)
        b.u64(32)
        b.u32(GGMLType.f32.rawValue)
        let at = b.offset
        b.raw([0, 0, 0, 0])
        return (at, .truncated(what: "the data offset of tensor \"a\"", needed: 8, available: 4))
    },
    .init("tensor name of 65 bytes") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo(String(repeating: "n", count: 65), .f32, [1], offset: 0)
        return (at, .tooLong(what: "the name of tensor 0", length: 65, limit: 64))
    },
    .init("empty tensor name") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("", .f32, [1], offset: 0)
        return (at, .empty(what: "the name of tensor 0"))
    },
    .init("tensor name that is not UTF-8") { b in
        tensorFile(&b)
        let at = b.offset
        b.string(bytes: [0x62, 0xC3])
        return (at + 8, .invalidUTF8(what: "the name of tensor 0"))
    },
    .init("tensor name holding a NUL byte") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a\0b", .f32, [1], offset: 0)
        return (at, .nulInTensorName("a\0b"))
    },
    .init("duplicate tensor names") { b in
        tensorFile(&b, tensorCount: 2)
        b.tensorInfo("a", .f32, [8], offset: 0)
        let at = b.offset
        b.tensorInfo("a", .f32, [8], offset: 32)
        return (at, .duplicateTensorName("a"))
    },
    .init("5 dimensions") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", .f32, [1, 1, 1, 1, 1], offset: 0)
        return (at + 9, .tooManyDimensions(tensor: "a", count: 5, limit: 4))
    },
    .init("dimension over Int.max") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", .f32, [1 << 63], offset: 0)
        return (at + 13, .shapeTooLarge(tensor: "a", dimensions: [1 << 63]))
    },
    .init("element count overflowing 64 bits") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", .f32, [1 << 32, 1 << 32], offset: 0)
        return (at + 13, .shapeTooLarge(tensor: "a", dimensions: [1 << 32, 1 << 32]))
    },
    .init("byte count overflowing 64 bits") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", .f64, [1 << 31, 1 << 31], offset: 0)
        return (at + 13, .shapeTooLarge(tensor: "a", dimensions: [1 << 31, 1 << 31]))
    },
    .init("removed ggml type 4 (Q4_2)") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", type: 4, dimensions: [32], offset: 0)
        return (at + 21, .unknownTensorType(tensor: "a", type: 4))
    },
    .init("ggml type past the list") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", type: 1000, dimensions: [32], offset: 0)
        return (at + 21, .unknownTensorType(tensor: "a", type: 1000))
    },
    .init("row not a whole number of Q4_K blocks") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", .q4_K, [128, 2], offset: 0)
        return (at + 29, .rowNotWholeBlocks(tensor: "a", type: .q4_K, rowLength: 128))
    },
    .init("quantised scalar") { b in
        tensorFile(&b)
        let at = b.offset
        b.tensorInfo("a", .q8_0, [], offset: 0)
        return (at + 13, .rowNotWholeBlocks(tensor: "a", type: .q8_0, rowLength: 1))
    },
    .init("misaligned data offset") { b in
        let (fields, _) = laidOut(&b, [("a", .f32, [8], 4)], dataCount: 64)
        return (fields[0], .offsetMisaligned(tensor: "a", offset: 4, alignment: 32))
    },
    .init("second tensor packed without the first one's padding") { b in
        let (fields, _) = laidOut(&b, [("a", .f32, [3], 0), ("b", .f32, [3], 12)], dataCount: 64)
        return (fields[1], .offsetMisaligned(tensor: "b", offset: 12, alignment: 32))
    },
    .init("first tensor not at the start of the data section") { b in
        let (fields, _) = laidOut(&b, [("a", .f32, [8], 32)], dataCount: 64)
        return (fields[0], .offsetGap(tensor: "a", offset: 32, expected: 0))
    },
    .init("overlapping tensors") { b in
        let (fields, _) = laidOut(&b, [("a", .f32, [16], 0), ("b", .f32, [8], 32)], dataCount: 128)
        return (fields[1], .offsetOverlaps(tensor: "b", offset: 32, expected: 64))
    },
    .init("gap between tensors") { b in
        let (fields, _) = laidOut(&b, [("a", .f32, [8], 0), ("b", .f32, [8], 64)], dataCount: 128)
        return (fields[1], .offsetGap(tensor: "b", offset: 64, expected: 32))
    },
    .init("data offset far past the end of the file") { b in
        let (fields, _) = laidOut(&b, [("a", .f32, [8], 1 << 62)], dataCount: 32)
        return (fields[0], .offsetGap(tensor: "a", offset: 1 << 62, expected: 0))
    },
    .init("file cut inside the tensor data") { b in
        let (fields, dataStart) = laidOut(&b, [("a", .f32, [8], 0), ("b", .f32, [16], 32)], dataCount: 40)
        return (fields[1], .dataBeyondFile(tensor: "b", end: dataStart + 96, fileSize: dataStart + 40))
    },
    .init("file cut inside the padding before the data section") { b in
        b.header(tensorCount: 1)
        b.tensorInfo("a", .f32, [0], offset: 0)
        let end = b.offset
        return (end - 8, .dataBeyondFile(tensor: "a", end: 64, fileSize: end))
    },
    .init("bytes after the last tensor's padding") { b in
        let (_, dataStart) = laidOut(&b, [("a", .f32, [8], 0)], dataCount: 64)
        return (dataStart + 32, .trailingBytes(count: 32))
    },
    .init("padding longer than the alignment after the last tensor") { b in
        let (_, dataStart) = laidOut(&b, [("a", .f32, [3], 0)], dataCount: 33)
        return (dataStart + 32, .trailingBytes(count: 1))
    },
    .init("bytes after the header of a file without tensors") { b in
        b.header()
        b.zeros(40)
        return (32, .trailingBytes(count: 32))
    },
]
