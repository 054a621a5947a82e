import Base
import Checkpoint
import Foundation
import Testing
@testable import Merge

/// Reduction sums too large for the budget go through a spill file and
/// give the same totals, bit for bit, as the in-memory pass.
@Suite struct BlockSumSpillTests {
    /// nuslerp in column mode: three sums per column per block.
    static func largestTensorPass() throws -> (PlannedTensor, any TensorKernel, ReductionRequest, TensorSource?, [TensorSource], [Range<Int>]) {
        _ = MergeTestSupport.repositoryRoot
        let recipe = try Recipe(yaml: try FileSystem.readSmallFile(MergeTestSupport.recipe("nuslerp-row_wise"), limit: 1 << 20), file: "nuslerp-row_wise.yml")
        let plan = try Planner.plan(recipe)
        let tensor = try #require(plan.tensors.filter { if case .merge = $0.work { true } else { false } }.max { $0.elementCount < $1.elementCount })
        guard case .merge(let method, let context, let base, let models) = tensor.work else { throw CancellationError() }
        let kernel = method.makeKernel(context)
        let request = try #require(kernel.nextReduction())
        let chunks = chunkRanges(elementCount: tensor.elementCount, preferredChunkElementCount: 1, rowLength: context.rowLength, needsWholeRows: kernel.needsWholeRows)
        return (tensor, kernel, request, base, models, chunks)
    }

    @Test func spilledSumsEqualTheInMemoryOnesBitForBit() throws {
        let (tensor, kernel, request, base, models, chunks) = try Self.largestTensorPass()
        #expect(request.sumCount > 3, "column mode keeps sums per column")
        let folder = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(folder) }
        let inMemory = try runReductionPass(kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks, threads: 2)
        let spilled = try runReductionPass(
            kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks, threads: 2,
            spillFolder: folder, sumsLimitBytes: 0)
        #expect(inMemory.sums.map(\.bitPattern) == spilled.sums.map(\.bitPattern))
        #expect(try FileSystem.contents(ofDirectory: folder).isEmpty, "spill files are removed when the pass ends")
    }

    @Test func onlySumsOverTheLimitAreSpilled() throws {
        let (tensor, kernel, request, base, models, chunks) = try Self.largestTensorPass()
        // A folder that does not exist: any attempt to spill fails.
        let missing = "/tmp/smelt-no-such-folder-\(UUID().uuidString)"
        _ = try runReductionPass(
            kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks, threads: 2,
            spillFolder: missing, sumsLimitBytes: .max)
        #expect(throws: SystemError.self) {
            _ = try runReductionPass(
                kernel, request: request, tensor: tensor, base: base, models: models, chunks: chunks, threads: 2,
                spillFolder: missing, sumsLimitBytes: 0)
        }
    }

    @Test func aMergeWithSpilledSumsWritesTheSameBytes() throws {
        let work = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(work) }
        for (name, limit) in [("memory", UInt64?.none), ("spilled", UInt64(0))] {
            var options = MergeOptions(memoryBudget: 64 << 20, threads: 2)
            options.chunkBytes = 4096
            options.reductionSumsLimitBytes = limit
            _ = try MergeRun.run(recipePath: MergeTestSupport.recipe("nuslerp-row_wise"), outputPath: work + "/" + name, options: options, dryRun: false)
        }
        let memory = try MergeTestSupport.folderBytes(work + "/memory")
        let spilled = try MergeTestSupport.folderBytes(work + "/spilled")
        #expect(memory.keys.sorted() == spilled.keys.sorted() && memory.keys.contains("model.safetensors"))
        for (name, bytes) in memory { #expect(spilled[name] == bytes, "\(name) differs") }
    }
}
