import TestSupport
import Foundation
import Synchronization
import Testing
@testable import Base

/// The final pass: chunks made on several threads, retired in order, and
/// a failure anywhere stops the run without hanging it.
@Suite struct OrderedPipelineTests {
    @Test func retiresChunksInOrderWhateverOrderTheyFinish() throws {
        var retired: [Int] = []
        try runOrderedPipeline(
            chunkCount: 200, threads: 3, window: 5, slotBytes: 8, makeState: {},
            produce: { index, _, slot in
                if index % 7 == 0 { usleep(200) }  // some chunks finish late
                slot.storeBytes(of: UInt64(index), as: UInt64.self)
                return ProducedChunk(byteCount: 8)
            },
            retired: { index, bytes, _ in
                #expect(bytes.load(as: UInt64.self) == UInt64(index))
                retired.append(index)
            })
        #expect(retired == Array(0..<200))
    }

    struct Planted: Error {}

    @Test(arguments: [0, 5, 199])
    func aFailingChunkStopsTheRunAndIsRethrown(failing: Int) {
        let produced = Atomic<Int>(0)
        #expect(throws: Planted.self) {
            try runOrderedPipeline(
                chunkCount: 200, threads: 2, window: 4, slotBytes: 8, makeState: {},
                produce: { index, _, _ in
                    produced.wrappingAdd(1, ordering: .relaxed)
                    if index == failing { throw Planted() }
                    return ProducedChunk(byteCount: 0)
                },
                retired: { _, _, _ in })
        }
        // At most the window beyond the failing chunk was started.
        #expect(produced.load(ordering: .relaxed) <= failing + 1 + 4 + 2)
    }
}
