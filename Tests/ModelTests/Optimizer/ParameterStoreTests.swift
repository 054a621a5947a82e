import Base
import Foundation
import Model
import TestSupport
import Testing

/// The out-of-core store computes what the in-memory one does, and AdamW's
/// eight-lane step what the scalar formula does.
@Suite struct ParameterStoreTests {
    static let tensors: [(name: String, shape: [Int])] = [("a", [3, 50_000]), ("b", [7]), ("c", [40_000])]

    /// Two steps of gradients added in pieces, the first clipped.
    func run(folder: String?) throws -> (norms: [Double], parts: [[Float]]) {
        let store = try ParameterStore(
            name: "test", tensors: Self.tensors, folder: folder, threads: 2, budget: ByteBudget(limitBytes: .max))
        #expect(store.isOutOfCore == (folder != nil))
        for (index, tensor) in Self.tensors.enumerated() {
            let count = tensor.shape.reduce(1, *)
            let values = (0..<count).map { Float(sin(Double($0 + index))) }
            try values.withUnsafeBufferPointer { try store.write(.values, tensor.name, elements: 0..<count, $0) }
        }
        var optimizer = AdamW(learningRate: 1e-3, beta1: 0.9, beta2: 0.95, weightDecay: 0.1)
        var norms: [Double] = []
        for step in 0..<2 {
            for tensor in Self.tensors {
                let count = tensor.shape.reduce(1, *)
                for start in stride(from: 0, to: count, by: 9_999) {
                    let range = start..<min(count, start + 9_999)
                    let gradient = range.map { Float(cos(Double($0 * (step + 2)))) * 0.01 }
                    try gradient.withUnsafeBufferPointer { try store.add(tensor.name, elements: range, $0) }
                }
            }
            let norm = try store.gradientNorm()
            norms.append(norm)
            try store.step(&optimizer, gradientScale: step == 0 ? Float(0.5 / norm) : 1)
            #expect(try store.gradientNorm() == 0)
        }
        let parts = try ParameterStore.Part.allCases.flatMap { part in
            try Self.tensors.map { try store.values(part, of: $0.name) }
        }
        return (norms, parts)
    }

    @Test func filesHoldWhatMemoryHolds() throws {
        let folder = try TestFiles.temporaryFolder()
        let memory = try run(folder: nil)
        let files = try run(folder: folder)
        #expect(memory.norms == files.norms)
        #expect(memory.norms[0] > 0)
        #expect(memory.parts == files.parts)
        #expect(try FileSystem.status(folder + "/.optimizer-values.f32")?.size == 4 * (150_000 + 7 + 40_000))
    }

    @Test func refusesRangesOutsideATensor() throws {
        let store = try ParameterStore(
            name: "test", tensors: Self.tensors, folder: nil, threads: 1, budget: ByteBudget(limitBytes: .max))
        let values = [Float](repeating: 1, count: 8)
        values.withUnsafeBufferPointer { values in
            #expect(throws: ModelError.self) { try store.add("b", elements: 0..<8, values) }
            #expect(throws: ModelError.self) { try store.add("z", elements: 0..<8, values) }
            #expect(throws: ModelError.self) { try store.write(.values, "c", elements: 0..<7, values) }
        }
        #expect(try store.gradientNorm() == 0)
    }

    @Test func laneStepEqualsScalarFormula() throws {
        let count = 37
        var parameters = ["w": (0..<count).map { Float($0) * 0.37 - 5 }]
        let gradients = ["w": (0..<count).map { Float(($0 * 7) % 11) * 0.013 - 0.05 }]
        var optimizer = AdamW(learningRate: 3e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        var expected = parameters["w"]!
        var (m, v) = ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
        for step in 1...3 {
            try optimizer.update(&parameters, gradients: gradients)
            let decay = Float(1 - 3e-3 * 0.1)
            let stepSize = Float(3e-3 / (1 - pow(0.9, Double(step))))
            let correction2 = Float((1 - pow(0.95, Double(step))).squareRoot())
            for index in 0..<count {
                let g = gradients["w"]![index]
                m[index] += (g - m[index]) * (1 - Float(0.9))
                v[index] = v[index] * Float(0.95) + (1 - Float(0.95)) * g * g
                let denominator = v[index].squareRoot() / correction2 + Float(1e-8)
                expected[index] = expected[index] * decay - stepSize * m[index] / denominator
            }
            #expect(parameters["w"] == expected, "step \(step)")
        }
    }
}
