import Base
import Foundation
import Model
import TestSupport
import Testing

/// The pass's numbers depend on the records and weights alone: not on the
/// thread count, nor on whether activations are kept or recomputed, on a
/// model big enough for several row tiles, feature tiles, vocabulary tiles
/// and head blocks.
@Suite struct TrainingPassTests {
    static func model() throws -> TrainableModel {
        let json = """
            {"model_type": "qwen2", "vocab_size": 5000, "hidden_size": 16, "intermediate_size": 160,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu",
             "rms_norm_eps": 1e-6, "rope_theta": 1000.0, "tie_word_embeddings": false}
            """
        let config = try ModelConfig(json: Array(json.utf8), file: "config.json")
        var state: UInt64 = 7
        var parameters: [String: [Float]] = [:]
        for (name, shape) in TrainableModel.parameterShapes(config) {
            parameters[name] = (0..<shape.reduce(1, *)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let uniform = Float(state >> 40) / Float(1 << 24) - 0.5
                return name.hasSuffix("norm.weight") ? 1 + 0.4 * uniform : uniform
            }
        }
        return try TrainableModel(config: config, parameters: parameters)
    }

    /// Three records of 130 tokens (390 rows) with top-3 targets; every
    /// other position counts in the first two, every one in the third.
    static func records() -> [TrainingRecord] {
        (0..<3).map { record in
            let ids = (0..<130).map { Int32(($0 * 37 + record * 911) % 5000) }
            let positions = 0..<(ids.count - 1)
            return TrainingRecord(
                ids: ids, lossMask: positions.map { ($0 + record) % 2 == 0 || record == 2 },
                targetIDs: positions.map { position in (0..<3).map { Int32((position * 53 + $0 * 1_777) % 5000) } },
                targetLogProbabilities: positions.map { _ in [-0.3, -1.6, -2.9] })
        }
    }

    /// `spillFolder`: the layers' inputs go through a file there.
    func gradients(threads: Int, keep: Bool, spillFolder: String? = nil) throws -> (Double, [String: [Float]]) {
        let model = try Self.model()
        let source = ParameterWeightSource(
            name: "model", tensors: model.parameters, shapes: model.parameterShapes)
        let sink = GradientBuffers(counts: model.parameters.mapValues(\.count))
        let pass = try TrainingPass(
            config: model.config, source: source, threads: threads, keepActivations: keep, spillFolder: spillFolder,
            spillInputs: spillFolder != nil)
        let result = try pass.run(records: Self.records(), lambda: 0.9, sink: sink)
        return (result.total, sink.gradients)
    }

    @Test func fullGradientsAreTheSameForAnyThreadsAndActivationPolicy() throws {
        let (loss, expected) = try gradients(threads: 1, keep: true)
        #expect(loss.isFinite && loss > 0)
        #expect(expected.count == TrainableModel.parameterShapes(try Self.model().config).count)
        for (threads, keep) in [(2, true), (3, false), (1, false)] {
            let (other, gradients) = try gradients(threads: threads, keep: keep)
            #expect(other == loss, "threads \(threads), keep \(keep)")
            for (name, values) in expected {
                #expect(gradients[name] == values, "\(name): threads \(threads), keep \(keep)")
            }
        }
    }

    @Test func spilledLayerInputsGiveTheSameGradientsAndLeaveNoFile() throws {
        let (loss, expected) = try gradients(threads: 2, keep: false)
        let folder = try TestFiles.temporaryFolder()
        let (spilled, spilledGradients) = try gradients(threads: 2, keep: false, spillFolder: folder)
        #expect(spilled == loss)
        for (name, values) in expected { #expect(spilledGradients[name] == values, "\(name)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        // The inputs did go through the folder: a missing one fails the pass.
        #expect(throws: (any Error).self) { try gradients(threads: 2, keep: false, spillFolder: folder + "/missing") }
    }

    @Test func adapterGradientsAreTheSameForAnyThreads() throws {
        let model = try Self.model()
        let adapters = try LoRAAdapters.initial(config: model.config, rank: 4, alpha: 8, seed: 3)
        // B starts at zero; give it values so that every adapter carries a gradient.
        var parameters = adapters.parameters
        for name in parameters.keys where name.hasSuffix("lora_B.weight") {
            parameters[name] = parameters[name]!.indices.map { Float($0 % 7) * 0.01 - 0.03 }
        }
        let trained = try LoRAAdapters(config: model.config, rank: 4, alpha: 8, parameters: parameters)
        let one = try model.lossAndGradients(records: Self.records(), lambda: 0.9, adapters: trained, threads: 1)
        let two = try model.lossAndGradients(records: Self.records(), lambda: 0.9, adapters: trained, threads: 2)
        #expect(one.total == two.total)
        #expect(one.gradients.count == parameters.count)
        for (name, values) in one.gradients {
            #expect(two.gradients[name] == values, "\(name)")
            #expect(values.contains { $0 != 0 }, "\(name) has no gradient")
        }
    }
}

/// Gradient accumulation: a batch run as several passes, each over the
/// batch's loss-position count, adds up to the batch in one pass.
@Suite struct GradientAccumulationTests {
    @Test func passesAddUpToTheWholeBatch() throws {
        let model = try TrainingPassTests.model()
        let source = ParameterWeightSource(name: "model", tensors: model.parameters, shapes: model.parameterShapes)
        let records = TrainingPassTests.records()
        let positions = records.reduce(0) { $0 + $1.lossMask.count { $0 } }
        let whole = GradientBuffers(counts: model.parameters.mapValues(\.count))
        let pass = try TrainingPass(config: model.config, source: source, threads: 2)
        let one = try pass.run(records: records, lambda: 0.9, sink: whole)
        let parts = GradientBuffers(counts: model.parameters.mapValues(\.count))
        var total = 0.0
        for record in records {
            total += try pass.run(records: [record], lambda: 0.9, sink: parts, positionCount: positions).total
        }
        #expect(abs(total - one.total) < 1e-9 * one.total)
        for (name, values) in whole.gradients {
            let other = parts.gradients[name] ?? []
            let scale = values.map { abs($0) }.max() ?? 0
            let difference = zip(values, other).map { abs($0 - $1) }.max() ?? .infinity
            #expect(other.count == values.count && difference <= 1e-5 * scale, "\(name): \(difference) of \(scale)")
        }
    }
}
