import Dispatch
import Synchronization

/// What a worker made of one chunk: its byte count in the slot and a tag
/// the retiring thread gets with it (the chunk's own digest).
public struct ProducedChunk: Sendable {
    public var byteCount: Int
    public var tag: UInt64 = 0

    public init(byteCount: Int, tag: UInt64 = 0) {
        self.byteCount = byteCount
        self.tag = tag
    }
}

/// Output buffers that workers fill and the retiring thread hashes.
/// @unchecked Sendable: slot `i % count` belongs to the worker computing
/// chunk i until it signals `ready[i % count]`, then to the retiring thread
/// until it signals `permits`; the semaphores order every hand-over.
final class PipelineSlots: @unchecked Sendable {
    let buffers: [UnsafeMutableRawBufferPointer]
    let produced: UnsafeMutableBufferPointer<ProducedChunk>
    let ready: [DispatchSemaphore]

    init(count: Int, bytesEach: Int) {
        buffers = (0..<count).map { _ in .allocate(byteCount: max(1, bytesEach), alignment: 64) }
        produced = .allocate(capacity: count)
        produced.initialize(repeating: ProducedChunk(byteCount: 0))
        ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        produced.deallocate()
    }
}

/// Produces `chunkCount` chunks on `threads` workers, each written at its
/// final offset by the worker that made it, and hands them to `retired` in
/// order on the calling thread while later chunks are computed (XXH3
/// cannot combine chunks hashed out of order). At most `window` chunks are
/// in flight, which bounds the memory.
public func runOrderedPipeline<WorkerState>(
    chunkCount: Int, threads: Int, window: Int, slotBytes: Int,
    makeState: @escaping @Sendable () -> WorkerState,
    produce:
        @escaping @Sendable (_ index: Int, _ state: WorkerState, _ slot: UnsafeMutableRawBufferPointer) throws ->
        ProducedChunk,
    retired: (_ index: Int, _ bytes: UnsafeRawBufferPointer, _ tag: UInt64) throws -> Void
) throws {
    guard chunkCount > 0 else { return }
    let window = max(1, min(window, chunkCount))
    let slots = PipelineSlots(count: window, bytesEach: slotBytes)
    // Created at zero and then signalled: libdispatch traps when a
    // semaphore is freed holding fewer than its initial value, which is
    // what a run stopped by an error leaves behind.
    let permits = DispatchSemaphore(value: 0)
    for _ in 0..<window { permits.signal() }
    let nextChunk = Atomic<Int>(0)
    let failure = Mutex<(any Error)?>(nil)
    let workers = max(1, min(threads, chunkCount))
    let group = DispatchGroup()
    for _ in 0..<workers {
        DispatchQueue.global().async(group: group) {
            let state = makeState()
            while true {
                permits.wait()
                let index = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= chunkCount || failure.withLock({ $0 != nil }) { permits.signal(); return }
                let slot = index % window
                do {
                    slots.produced[slot] = try produce(index, state, slots.buffers[slot])
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
                slots.ready[slot].signal()
            }
        }
    }
    var stopped = false
    for index in 0..<chunkCount {
        let slot = index % window
        slots.ready[slot].wait()
        if failure.withLock({ $0 != nil }) { stopped = true; break }
        let chunk = slots.produced[slot]
        do {
            try retired(index, UnsafeRawBufferPointer(rebasing: slots.buffers[slot][0..<chunk.byteCount]), chunk.tag)
        } catch {
            failure.withLock { $0 = $0 ?? error }
            stopped = true
            break
        }
        permits.signal()
    }
    if stopped { for _ in 0..<workers { permits.signal() } }
    group.wait()
    if let error = failure.withLock({ $0 }) { throw error }
}
