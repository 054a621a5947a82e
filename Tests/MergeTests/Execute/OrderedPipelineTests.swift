import Checkpoint
import Foundation
import Synchronization
import Testing
@testable import Merge

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

    @Test func anInputCutShortDuringTheRunIsAnErrorNamingIt() throws {
        let work = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(work) }
        for name in ["base", "a"] {
            try FileManager.default.copyItem(atPath: MergeTestSupport.repositoryRoot + "/Fixtures/models/llama-f32-" + name, toPath: work + "/" + name)
        }
        let recipe = try Recipe(yaml: Array("merge_method: task_arithmetic\nbase_model: \(work)/base\nmodels:\n  - model: \(work)/a\n    parameters: {weight: 1}\n".utf8), file: "r.yml")
        let plan = try Planner.plan(recipe)
        // The input shrinks after the plan was made, as if rewritten mid-run.
        try OpenFile.forUpdating(work + "/a/model.safetensors").truncate(to: 8192)
        let writer = try CheckpointWriter(outputPath: work + "/out", tensors: plan.outputTensors, shardSizeLimit: 1 << 40)
        do {
            _ = try MergeExecutor.run(plan.tensors, into: writer, settings: ExecutionSettings(threads: 2, chunkElementCount: 1 << 16, window: 4))
            Issue.record("the merge read past the end of a shrunken input")
        } catch let error as SystemError {
            #expect(error.path.hasSuffix("a/model.safetensors") && "\(error)".contains("ended early"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: work + "/out"))
    }
}
