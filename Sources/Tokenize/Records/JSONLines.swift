import Base

/// Reads a JSONL file a window at a time and hands out its lines in batches,
/// so a data file of any size is read in bounded memory. Blank lines are
/// skipped (they are not records) but counted.
public struct JSONLines {
    /// The longest line accepted.
    public static let maximumLineBytes = 64 << 20
    private let file: OpenFile
    private let size: UInt64
    private var offset: UInt64 = 0
    private var lineNumber = 0
    /// Read bytes not yet handed out: `pending[start...]`.
    private var pending: [UInt8] = []
    private var start = 0

    public init(path: String) throws(SystemError) {
        file = try OpenFile.forReading(path)
        size = try file.status().size
    }

    /// Up to `count` non-blank lines with their line numbers (from 1); empty
    /// at the end of the file.
    public mutating func nextBatch(count: Int) throws -> [(line: Int, bytes: [UInt8])] {
        var batch: [(line: Int, bytes: [UInt8])] = []
        while batch.count < count {
            if let newline = pending[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                var line = Array(pending[start..<newline])
                start = newline + 1
                if line.last == 0x0D { line.removeLast() }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { batch.append((lineNumber, line)) }
                continue
            }
            guard offset < size else {
                let rest = Array(pending[start...])
                if !rest.isEmpty {
                    lineNumber += 1
                    if !rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { batch.append((lineNumber, rest)) }
                }
                pending = []
                start = 0
                break
            }
            pending.removeFirst(start)
            start = 0
            guard pending.count <= Self.maximumLineBytes else {
                throw DataRecordError(
                    file: file.path, line: lineNumber + 1, problem: "line longer than \(Self.maximumLineBytes) bytes")
            }
            let windowSize = Int(min(UInt64(1 << 20), size - offset))
            let window = UnsafeMutableRawBufferPointer.allocate(byteCount: windowSize, alignment: 1)
            defer { window.deallocate() }
            try file.read(into: window, at: offset)
            offset += UInt64(windowSize)
            pending.append(contentsOf: window)
        }
        return batch
    }
}
