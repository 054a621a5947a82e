import Base
import Checkpoint
import Foundation
import Testing
@testable import Merge

/// A merge whose input changes under it stops with an error naming it.
@Suite struct InputChangeTests {
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
