import Base
import Model

/// The state of a distillation run after a step, as it is kept in the
/// staging folder: the trained parameters and AdamW's moments (streamed
/// from and to the run's `ParameterStore`, a chunk at a time), AdamW's
/// step count, and the rows of `train-log.csv` so far. One spill file (every block
/// with its length and XXH3-64), written under a temporary name, synced and
/// renamed, so a kill leaves the last whole checkpoint or none.
///
/// Blocks: a head (kind 0: steps done, the run's identity digest, AdamW's
/// steps, the log rows), then each tensor in chunks (kind 1 parameter, 2
/// first moment, 3 second moment: name, first element, Float32 values),
/// then an end (kind 9: the number of blocks before it).
public struct DistillCheckpoint: Sendable {
    public static let fileName = ".distill-checkpoint.smsp"
    /// Float32 values per block (16 MiB, under the spill block limit).
    static let chunkElementCount = 1 << 22

    public var step: Int
    public var identityDigest: UInt64
    public var optimizerSteps: Int
    public var logRows: String

    public init(step: Int, identityDigest: UInt64, optimizerSteps: Int, logRows: String) {
        self.step = step
        self.identityDigest = identityDigest
        self.optimizerSteps = optimizerSteps
        self.logRows = logRows
    }

    static let parts: [(kind: UInt8, part: ParameterStore.Part)] = [
        (1, .values), (2, .firstMoments), (3, .secondMoments),
    ]

    /// Writes the checkpoint as `folder/fileName`, replacing the last one in one rename.
    public func write(folder: String, store: ParameterStore) throws {
        let temporary = folder + "/" + Self.fileName + ".tmp"
        let writer = try SpillWriter(path: temporary)
        var head: [UInt8] = [0]
        for value in [UInt64(step), identityDigest, UInt64(optimizerSteps)] { Self.append(value, to: &head) }
        head += Array(logRows.utf8)
        try writer.append(head)
        var blockCount = 1
        var values = [Float](repeating: 0, count: Self.chunkElementCount)
        for (kind, part) in Self.parts {
            for (name, shape) in store.tensors {
                let count = shape.reduce(1, *)
                var start = 0
                repeat {
                    let end = min(count, start + Self.chunkElementCount)
                    try values.withUnsafeMutableBufferPointer { values in
                        try store.read(
                            part, name, elements: start..<end,
                            into: UnsafeMutableBufferPointer(rebasing: values[0..<end - start]))
                    }
                    var block: [UInt8] = [kind]
                    Self.append(UInt64(name.utf8.count), to: &block)
                    block += Array(name.utf8)
                    Self.append(UInt64(start), to: &block)
                    Self.appendLittleEndian(values[0..<end - start], to: &block)
                    try writer.append(block)
                    blockCount += 1
                    start = end
                } while start < count
            }
        }
        var end: [UInt8] = [9]
        Self.append(UInt64(blockCount), to: &end)
        try writer.append(end)
        try writer.sync()
        try FileSystem.rename(temporary, to: folder + "/" + Self.fileName)
        try FileSystem.syncDirectory(folder)
    }

    /// Reads `folder/fileName` back into `store`; nil when there is none.
    /// Every tensor of the store must be there whole.
    public static func read(folder: String, into store: ParameterStore) throws -> DistillCheckpoint? {
        let path = folder + "/" + fileName
        guard try FileSystem.status(path) != nil else { return nil }
        let counts = Dictionary(
            store.tensors.map { ($0.name, $0.shape.reduce(1, *)) }, uniquingKeysWith: { first, _ in first })
        var checkpoint = DistillCheckpoint(step: 0, identityDigest: 0, optimizerSteps: 0, logRows: "")
        var covered = [Int](repeating: 0, count: 4)
        var blockCount = 0
        var ended = false
        do {
            _ = try SpillReader(path: path).forEachPayload { _, payload in
                guard !ended, let kind = payload.first else {
                    throw DistillError.damagedCheckpoint(path: path, problem: "a block after its end")
                }
                var cursor = 1
                switch kind {
                case 0 where blockCount == 0:
                    checkpoint.step = Int(try integer(payload, &cursor, path))
                    checkpoint.identityDigest = try integer(payload, &cursor, path)
                    checkpoint.optimizerSteps = Int(try integer(payload, &cursor, path))
                    checkpoint.logRows = String(decoding: payload[cursor...], as: UTF8.self)
                case 1...3 where blockCount > 0:
                    let nameLength = Int(try integer(payload, &cursor, path))
                    guard nameLength <= payload.count - cursor else {
                        throw damaged(path, "a name runs past its block")
                    }
                    let name = String(decoding: payload[cursor..<cursor + nameLength], as: UTF8.self)
                    cursor += nameLength
                    let start = Int(try integer(payload, &cursor, path))
                    let elementCount = (payload.count - cursor) / 4
                    guard let count = counts[name], start <= count, elementCount <= count - start else {
                        throw damaged(path, "it holds \(name), which this run does not train, or too much of it")
                    }
                    let values = Self.littleEndianFloats(payload, from: cursor, count: elementCount)
                    // checked: kind is 1, 2 or 3 here
                    let part = parts.first { $0.kind == kind }!.part
                    try values.withUnsafeBufferPointer {
                        try store.write(part, name, elements: start..<start + elementCount, $0)
                    }
                    covered[Int(kind)] += elementCount
                case 9:
                    guard try integer(payload, &cursor, path) == UInt64(blockCount) else {
                        throw damaged(path, "its end counts other blocks than it holds")
                    }
                    ended = true
                default: throw damaged(path, "a block of unknown kind \(kind)")
                }
                blockCount += 1
            }
        } catch let error as SpillError {
            throw damaged(path, "\(error)")
        }
        let total = counts.values.reduce(0, +)
        guard ended, covered[1] == total, covered[2] == total, covered[3] == total else {
            throw damaged(path, "it does not hold every trained tensor whole")
        }
        return checkpoint
    }

    private static func damaged(_ path: String, _ problem: String) -> DistillError {
        .damagedCheckpoint(path: path, problem: problem)
    }

    /// Appends `values` as little-endian Float32 (one copy on a little-endian host).
    static func appendLittleEndian(_ values: ArraySlice<Float>, to bytes: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes += $0 }
        #else
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        #endif
    }

    /// `count` little-endian Float32 values at `offset` of `payload`.
    static func littleEndianFloats(_ payload: UnsafeRawBufferPointer, from offset: Int, count: Int) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        #if _endian(little)
        values.withUnsafeMutableBytes {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[offset..<offset + 4 * count]))
        }
        #else
        for index in 0..<count {
            let bits = payload.loadUnaligned(fromByteOffset: offset + 4 * index, as: UInt32.self)
            values[index] = Float(bitPattern: UInt32(littleEndian: bits))
        }
        #endif
        return values
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    private static func integer(_ payload: UnsafeRawBufferPointer, _ cursor: inout Int, _ path: String) throws -> UInt64
    {
        guard payload.count - cursor >= 8 else { throw damaged(path, "a block ends inside a number") }
        defer { cursor += 8 }
        return UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: cursor, as: UInt64.self))
    }
}
