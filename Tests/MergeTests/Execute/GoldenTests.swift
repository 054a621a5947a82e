import Base
import Checkpoint
import Foundation
import Testing
@testable import Merge

/// Fidelity to mergekit 0.1.5: every recipe under Fixtures/recipes is run
/// by Smelt and compared with mergekit's output under Fixtures/goldens
/// (made by tools/make_goldens.py; see its README for versions).
@Suite struct GoldenTests {
    enum Comparison: Sendable {
        /// Deterministic, Float32 arithmetic: every element within 1e-6.
        case exact
        /// BF16 inputs under Smelt's precision rule: at most this many
        /// elements may differ (rounding ties decided by Float32 noise).
        case bf16(maxDifferingElements: Int)
        /// Random pruning: norms of the change from the base and the
        /// fraction of elements left at the base, statistically.
        case statistical
        /// arcee_fusion: the same elements taken from the model, except a
        /// few at the threshold, where mergekit's Float32 KL rounding decides.
        case thresholdMask(maxFlippedFraction: Double)
        /// mergekit's step-by-step BF16 arithmetic, or its unstable sort at
        /// the pruning cut-off: measured (README.md), at most this fraction
        /// of elements differs.
        case differingFraction(Double)
    }

    static let table: [(name: String, comparison: Comparison)] = [
        ("linear", .exact), ("linear-gradient", .exact), ("linear-nonorm", .exact), ("linear-out-bf16", .exact),
        ("linear-sharded-input", .exact), ("linear-sharded-output", .exact), ("linear-slices", .exact),
        ("task_arithmetic", .exact), ("task_arithmetic-lambda", .exact),
        ("ties", .exact), ("ties-filter", .exact), ("ties-slices", .exact),
        ("breadcrumbs", .exact), ("breadcrumbs_ties", .exact),
        ("slerp", .exact), ("slerp-gradient", .exact),
        ("nuslerp", .exact), ("nuslerp-base", .exact), ("nuslerp-row_wise", .exact), ("nuslerp-rows", .exact),
        ("multislerp", .exact), ("multislerp-nobase", .exact), ("karcher", .exact), ("karcher-iter", .exact),
        ("model_stock", .exact), ("model_stock-filter_wise", .exact), ("sce", .exact), ("sce-all", .exact),
        ("nearswap", .exact), ("passthrough", .exact), ("tied-linear", .exact), ("tied-mixed", .exact), ("tied-ties", .exact),
        ("dare_linear", .statistical), ("dare_ties", .statistical), ("della", .statistical), ("della_linear", .statistical),
        ("arcee_fusion", .thresholdMask(maxFlippedFraction: 0.005)),
        ("bf16-linear-f32ref", .bf16(maxDifferingElements: 4)), ("bf16-task_arithmetic-f32ref", .bf16(maxDifferingElements: 4)),
        ("bf16-slerp-f32ref", .bf16(maxDifferingElements: 4)),
        ("bf16-ties-f32ref-lower-index", .bf16(maxDifferingElements: 4)), ("large-ties-lower-index", .bf16(maxDifferingElements: 4)),
        ("bf16-ties-f32ref", .differingFraction(0.01)), ("large-ties", .differingFraction(0.01)),
        ("bf16-linear-stepwise", .differingFraction(0)), ("bf16-slerp-stepwise", .differingFraction(0.001)),
        ("bf16-task_arithmetic-stepwise", .differingFraction(0.25)), ("bf16-ties-stepwise", .differingFraction(0.25)),
    ]

    @Test func everyGoldenIsCompared() throws {
        let folders = try FileSystem.contents(ofDirectory: MergeTestSupport.repositoryRoot + "/Fixtures/goldens").filter {
            (try? FileSystem.status(MergeTestSupport.golden($0)))??.isDirectory == true
        }
        let compared = Set(Self.table.map(\.name))
        #expect(Set(folders).subtracting(compared).isEmpty, "goldens nobody compares: \(Set(folders).subtracting(compared).sorted())")
    }

    @Test(arguments: table.map(\.name))
    func matchesMergekit(name: String) throws {
        let comparison = try #require(Self.table.first { $0.name == name }).comparison
        let work = try MergeTestSupport.temporaryFolder()
        defer { try? FileSystem.removeTree(work) }
        // A "-lower-index" golden is the same recipe computed by
        // tools/make_lower_index_references.py.
        let recipe = name.hasSuffix("-lower-index") ? String(name.dropLast("-lower-index".count)) : name
        try MergeTestSupport.merge(MergeTestSupport.recipe(recipe), into: work + "/out")
        let smelt = try MergeTestSupport.tensors(work + "/out")
        let golden = try MergeTestSupport.tensors(MergeTestSupport.golden(name))
        #expect(Set(smelt.keys) == Set(golden.keys))
        for (tensor, expected) in golden {
            let actual = try #require(smelt[tensor])
            #expect(actual.dtype == expected.dtype && actual.shape == expected.shape, "\(tensor)")
        }
        switch comparison {
        case .exact:
            for (tensor, expected) in golden {
                let actual = smelt[tensor]?.values ?? []
                let worst = zip(actual, expected.values).map { abs(Double($0) - Double($1)) }.max() ?? 0
                #expect(worst <= 1e-6, "\(tensor): max difference \(worst)")
            }
        case .bf16(let allowed):
            let differing = golden.reduce(0) { total, entry in
                total + zip(smelt[entry.key]?.values ?? [], entry.value.values).filter { $0 != $1 }.count
            }
            #expect(differing <= allowed, "\(differing) elements differ")
        case .differingFraction(let allowed):
            var differing = 0, total = 0
            for (tensor, expected) in golden {
                differing += zip(smelt[tensor]?.values ?? [], expected.values).filter { $0 != $1 }.count
                total += expected.values.count
            }
            #expect(Double(differing) <= allowed * Double(total), "\(differing) of \(total) elements differ")
        case .statistical:
            try checkStatistically(recipe: name, smelt: smelt, golden: golden)
        case .thresholdMask(let allowed):
            let base = try MergeTestSupport.tensors(MergeTestSupport.repositoryRoot + "/Fixtures/models/llama-f32-base")
            let model = try MergeTestSupport.tensors(MergeTestSupport.repositoryRoot + "/Fixtures/models/llama-f32-a")
            var flipped = 0, total = 0
            for (tensor, expected) in golden {
                let b = base[tensor]?.values ?? [], x = model[tensor]?.values ?? []
                for (index, (actual, value)) in zip(smelt[tensor]?.values ?? [], expected.values).enumerated() {
                    #expect(actual == b[index] || actual == x[index], "\(tensor)[\(index)] is neither base nor model")
                    if actual != value { flipped += 1 }
                    total += 1
                }
            }
            #expect(Double(flipped) <= allowed * Double(total), "\(flipped) of \(total) elements chose differently")
        }
    }

    /// Random methods: the L2 norm of the change from the base within 5% of
    /// mergekit's for the whole model and within 15% for every tensor of at
    /// least 1,024 elements; the fraction of elements left at the base
    /// within 0.02 of mergekit's.
    func checkStatistically(recipe: String, smelt: [String: (dtype: DType, shape: [UInt64], values: [Float])], golden: [String: (dtype: DType, shape: [UInt64], values: [Float])]) throws {
        let base = try MergeTestSupport.tensors(MergeTestSupport.repositoryRoot + "/Fixtures/models/llama-f32-base")
        var smeltSquares = 0.0, goldenSquares = 0.0, smeltAtBase = 0, goldenAtBase = 0, total = 0
        for (tensor, expected) in golden {
            let b = base[tensor]?.values ?? [], actual = smelt[tensor]?.values ?? []
            var s = 0.0, g = 0.0
            for index in b.indices {
                s += pow(Double(actual[index]) - Double(b[index]), 2)
                g += pow(Double(expected.values[index]) - Double(b[index]), 2)
                if actual[index] == b[index] { smeltAtBase += 1 }
                if expected.values[index] == b[index] { goldenAtBase += 1 }
            }
            total += b.count
            smeltSquares += s
            goldenSquares += g
            if b.count >= 1024 { #expect(abs(s.squareRoot() / g.squareRoot() - 1) < 0.15, "\(recipe) \(tensor): norm ratio \(s.squareRoot() / g.squareRoot())") }
        }
        let ratio = smeltSquares.squareRoot() / goldenSquares.squareRoot()
        #expect(abs(ratio - 1) < 0.05, "\(recipe): whole-model norm ratio \(ratio)")
        let atBase = (Double(smeltAtBase) / Double(total), Double(goldenAtBase) / Double(total))
        #expect(abs(atBase.0 - atBase.1) < 0.02, "\(recipe): at base \(atBase.0) vs \(atBase.1)")
    }
}
