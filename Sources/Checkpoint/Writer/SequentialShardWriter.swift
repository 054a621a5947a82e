import Base
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes a checkpoint's tensor data that arrives in file order (a merge
/// retires its chunks in plan order) through a few large aligned blocks,
/// which a background thread writes with O_DIRECT.
///
/// Why not `pwrite` into the page cache from the workers: on the 2.5 GB
/// benchmark output that copy, and the inode lock the two writers spin on,
/// took a third of a TIES merge's CPU; where a hypervisor reclaims free
/// guest memory (virtio-balloon free page reporting) every fresh
/// page-cache page costs a host fault on top, and a buffered 2.5 GB write
/// takes 5 s instead of 0.4 s. Direct writes copy nothing into the page
/// cache, so the output also does not evict the inputs a later pass
/// re-reads, which matters most when the model is larger than the memory.
///
/// Only whole aligned blocks go direct; the unaligned bytes where a stream
/// starts or stops (after the header, around chunks an interrupted run
/// kept) are written through the page cache. File systems without direct
/// I/O get every block through the page cache, with writeback started
/// behind them. Nothing here is durable until the writer's publish syncs.
public final class SequentialShardWriter: @unchecked Sendable {
    // @unchecked Sendable: `append` and `finish` are called from one
    // thread at a time (they own the stream position and the open block);
    // a block belongs to the appending thread until it is submitted, then
    // to the write queue until it is released; `available` orders both.

    /// Offsets, lengths and buffers of direct writes are multiples of this.
    public static let alignment = 4096

    public let writer: CheckpointWriter
    private let blockBytes: Int
    private let blocks: [UnsafeMutableRawBufferPointer]
    private let freeBlocks: Mutex<[Int]>
    private let available: DispatchSemaphore
    private let queue = DispatchQueue(label: "smelt.sequential-writes")
    private let failure = Mutex<SystemError?>(nil)
    /// Per shard, the O_DIRECT descriptor; nil once direct I/O turned out
    /// unsupported there. Touched only on `queue`.
    private var directFiles: [OpenFile??]

    private var shard = -1
    /// The file offset the next appended byte belongs at.
    private var next: UInt64 = 0
    /// The block being filled, the file offset of its first byte, and how
    /// many bytes it holds.
    private var open: (block: Int, start: UInt64, filled: Int)?
    /// When a block was last handed to the write queue: bytes never wait
    /// longer than `flushIntervalNanoseconds` for their write (a killed
    /// run loses about as much output as journal records).
    private var lastSubmitNanoseconds = DispatchTime.now().uptimeNanoseconds
    private let flushIntervalNanoseconds: UInt64

    /// Bytes a stream of `blockCount` blocks of `blockBytes` holds.
    public static func memoryBytes(blockBytes: Int, blockCount: Int) -> UInt64 {
        UInt64(alignedBlockBytes(blockBytes)) * UInt64(max(2, blockCount))
    }

    private static func alignedBlockBytes(_ bytes: Int) -> Int {
        max(alignment, alignedDown(bytes))
    }

    /// `bytes` rounded down to whole alignment units.
    private static func alignedDown(_ bytes: Int) -> Int { bytes / alignment * alignment }

    /// A stream into `writer`'s shards with `blockCount` blocks (at least
    /// two: one filling while another is written) of `blockBytes` each,
    /// rounded down to whole alignment units.
    /// `flushInterval`: seconds after which a partly filled block's aligned
    /// part is written anyway.
    public init(writer: CheckpointWriter, blockBytes: Int, blockCount: Int, flushInterval: Double = 0.1) {
        self.writer = writer
        flushIntervalNanoseconds = UInt64(max(0, flushInterval) * 1e9)
        self.blockBytes = Self.alignedBlockBytes(blockBytes)
        let count = max(2, blockCount)
        // Touched now, so that every block is resident from the start and
        // the memory the run reports does not depend on how many blocks the
        // disk's speed happened to keep in use.
        blocks = (0..<count).map { _ in
            let block = UnsafeMutableRawBufferPointer.allocate(
                byteCount: Self.alignedBlockBytes(blockBytes), alignment: Self.alignment)
            block.initializeMemory(as: UInt8.self, repeating: 0)
            return block
        }
        freeBlocks = Mutex(Array(0..<count))
        available = DispatchSemaphore(value: 0)
        for _ in 0..<count { available.signal() }
        directFiles = Array(repeating: .none, count: writer.shardFiles.count)
    }

    deinit {
        queue.sync {}
        for block in blocks { block.deallocate() }
    }

    /// Appends `bytes` at `offset` inside tensor `name`'s data. Bytes that
    /// continue the previous append join the open block; any other
    /// position first flushes what is pending. A failed background write
    /// is thrown here or by `finish`.
    public func append(tensor name: String, offset: UInt64, bytes: UnsafeRawBufferPointer) throws {
        try throwIfFailed()
        let (shard, start) = try writer.location(tensor: name, offset: offset, count: bytes.count)
        if shard != self.shard || start != next {
            flush()
            self.shard = shard
            next = start
        }
        var rest = bytes
        while !rest.isEmpty {
            if open == nil {
                let misalignment = Int(next % UInt64(Self.alignment))
                if misalignment != 0 {
                    // The head up to the next aligned offset goes through the page cache.
                    let head = min(rest.count, Self.alignment - misalignment)
                    try writer.shardFiles[shard].write(UnsafeRawBufferPointer(rebasing: rest[0..<head]), at: next)
                    next += UInt64(head)
                    rest = UnsafeRawBufferPointer(rebasing: rest[head...])
                    continue
                }
                open = (takeBlock(), next, 0)
            }
            guard var current = open else { break }
            let count = min(rest.count, blockBytes - current.filled)
            // checked: rest is non-empty, so its base address is non-nil
            (blocks[current.block].baseAddress! + current.filled).copyMemory(from: rest.baseAddress!, byteCount: count)
            current.filled += count
            next += UInt64(count)
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            open = current
            if current.filled == blockBytes { flush() }
        }
        if let current = open, current.filled >= Self.alignment,
            DispatchTime.now().uptimeNanoseconds - lastSubmitNanoseconds >= flushIntervalNanoseconds
        {
            flushAlignedPart(of: current)
        }
    }

    /// Hands the aligned part of the open block to the write queue and
    /// carries its unaligned tail over into a fresh block.
    private func flushAlignedPart(of current: (block: Int, start: UInt64, filled: Int)) {
        let aligned = Self.alignedDown(current.filled)
        let fresh = takeBlock()
        // checked: both blocks hold blockBytes, and the tail is under one alignment unit
        blocks[fresh].baseAddress!.copyMemory(
            from: blocks[current.block].baseAddress! + aligned, byteCount: current.filled - aligned)
        submit((current.block, current.start, aligned))
        open = (fresh, current.start + UInt64(aligned), current.filled - aligned)
    }

    /// A free block, waiting for the write queue to release one if needed.
    private func takeBlock() -> Int {
        available.wait()
        return freeBlocks.withLock { $0.removeLast() }
    }

    /// Writes everything appended so far and waits for it; throws the
    /// first write that failed. The stream may be appended to afterwards.
    public func finish() throws {
        flush()
        queue.sync {}
        try throwIfFailed()
    }

    private func throwIfFailed() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Hands the open block, if any, to the write queue.
    private func flush() {
        guard let current = open else { return }
        open = nil
        submit(current)
    }

    /// Writes `current` on the write queue, its aligned part direct and
    /// the unaligned tail through the page cache, then releases the block.
    private func submit(_ current: (block: Int, start: UInt64, filled: Int)) {
        lastSubmitNanoseconds = DispatchTime.now().uptimeNanoseconds
        let shard = self.shard
        let direct = Self.alignedDown(current.filled)
        queue.async { [self] in
            defer {
                freeBlocks.withLock { $0.append(current.block) }
                available.signal()
            }
            guard failure.withLock({ $0 == nil }) else { return }
            let bytes = UnsafeRawBufferPointer(blocks[current.block])
            do throws(SystemError) {
                if direct > 0 {
                    try writeDirect(
                        UnsafeRawBufferPointer(rebasing: bytes[0..<direct]), shard: shard, at: current.start)
                }
                if current.filled > direct {
                    try writer.shardFiles[shard].write(
                        UnsafeRawBufferPointer(rebasing: bytes[direct..<current.filled]),
                        at: current.start + UInt64(direct))
                }
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
    }

    /// On `queue`: one aligned range, direct where the file system allows
    /// it, else through the page cache with writeback started at once.
    private func writeDirect(_ bytes: UnsafeRawBufferPointer, shard: Int, at offset: UInt64) throws(SystemError) {
        let buffered = writer.shardFiles[shard]
        if directFiles[shard] == nil { directFiles[shard] = .some(try OpenFile.forDirectWriting(buffered.path)) }
        if case .some(.some(let direct)) = directFiles[shard] {
            do {
                try direct.write(bytes, at: offset)
                return
            } catch  where error.errno == EINVAL {
                // Alignment this file system does not take: page cache from now on.
                directFiles[shard] = .some(nil)
            }
        }
        try buffered.write(bytes, at: offset)
        try? buffered.startWriteback(offset..<offset + UInt64(bytes.count))  // a hint: failures show at the final sync
    }
}
