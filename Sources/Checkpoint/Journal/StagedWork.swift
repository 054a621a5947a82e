import Base

/// The work of an interrupted run that a resume keeps: every journaled
/// chunk whose staged bytes still hash to the journaled digest, and the
/// tensors those chunks cover completely. Nothing is kept on the journal's
/// word alone (DESIGN.md, principle 6).
public struct StagedWork: Sendable {
    public struct Chunk: Hashable, Sendable {
        public let byteOffset: UInt64
        public let byteCount: UInt64

        public init(byteOffset: UInt64, byteCount: UInt64) {
            self.byteOffset = byteOffset
            self.byteCount = byteCount
        }
    }

    /// Digest of every tensor whose bytes are all staged and checked.
    public var completeTensors: [Int: UInt64] = [:]
    /// Checked chunks by tensor index, with their digests.
    public var chunks: [Int: [Chunk: UInt64]] = [:]
    /// Units the journal named whose staged bytes no longer match.
    public var mismatchedUnits = 0
    /// Units the journal named that were checked and kept.
    public var keptUnits = 0

    /// The digest of chunk `chunk` of tensor `tensorIndex`, if it was kept.
    public init() {}

    public func digest(tensorIndex: Int, chunk: Chunk) -> UInt64? { chunks[tensorIndex]?[chunk] }

    /// Hashes the staged bytes of every chunk the journal records (in
    /// parallel, each chunk front to back) and keeps those that match;
    /// `tensors` are the plan's output tensors, in the journal's index
    /// order. `progress` gets the bytes hashed, from any thread.
    public static func check(
        _ journal: JournalContents, tensors: [(name: String, byteCount: UInt64)], writer: CheckpointWriter,
        threads: Int,
        progress: @Sendable (UInt64) -> Void = { _ in }
    ) throws -> StagedWork {
        let units = journal.chunkUnits
        let staged = try writer.stagedDigests(
            of: units.map {
                (
                    tensor: tensors[$0.tensor].name,
                    range: $0.chunk.byteOffset..<$0.chunk.byteOffset + $0.chunk.byteCount
                )
            },
            threads: threads, progress: progress)
        var work = StagedWork()
        for (unit, digest) in zip(units, staged) {
            guard digest == unit.digest else { work.mismatchedUnits += 1; continue }
            work.chunks[unit.tensor, default: [:]][unit.chunk] = digest
            work.keptUnits += 1
        }
        for (tensor, digest) in journal.tensorDigests
        where covers(work.chunks[tensor] ?? [:], byteCount: tensors[tensor].byteCount) {
            work.completeTensors[tensor] = digest
        }
        return work
    }

    /// Whether the chunks tile 0..<byteCount without a gap (chunks of runs
    /// with different chunk sizes may overlap; every byte was checked).
    private static func covers(_ chunks: [Chunk: UInt64], byteCount: UInt64) -> Bool {
        var end: UInt64 = 0
        for chunk in chunks.keys.sorted(by: { $0.byteOffset < $1.byteOffset }) {
            if chunk.byteOffset > end { return false }
            end = max(end, chunk.byteOffset + chunk.byteCount)
        }
        return end >= byteCount
    }
}
