import Base
import Checkpoint
import Foundation
import Model
import TestSupport

/// PyTorch autograd's losses and gradients for two tiny random models
/// (Fixtures/distill/gradients, tools/make_distill_references.py on the
/// `gradref` branch): three records with loss masks and top-5 targets.
struct GradientReference {
    static let architectures = ["llama", "qwen2"]

    let architecture: String
    let records: [TrainingRecord]
    let lambda: Double

    init(_ architecture: String) throws {
        self.architecture = architecture
        let bytes = try TestFiles.read(TestFiles.fixture("distill/gradients/case.json"))
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
        lambda = object["lambda"] as? Double ?? .nan
        records = (object["records"] as? [[String: Any]] ?? []).map { record in
            let targets = record["targets"] as? [[String: Any]] ?? []
            return TrainingRecord(
                ids: (record["ids"] as? [Int] ?? []).map { Int32($0) }, lossMask: record["loss_mask"] as? [Bool] ?? [],
                targetIDs: targets.map { ($0["ids"] as? [Int] ?? []).map { Int32($0) } },
                targetLogProbabilities: targets.map { ($0["logprobs"] as? [Double] ?? []).map { Float($0) } })
        }
    }

    var folder: String { TestFiles.fixture("distill/gradients/\(architecture)") }

    func model() throws -> TrainableModel { try TrainableModel.open(path: folder) }

    /// `{"ce", "fusion", "total"}` of `file` (losses.json, lora-losses.json).
    func losses(_ file: String = "losses.json") throws -> [String: Double] {
        let bytes = try TestFiles.read(folder + "/" + file)
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Double] ?? [:]
    }

    /// Every tensor of one of the folder's safetensors files, as Float32.
    func tensors(_ file: String) throws -> [String: [Float]] {
        let checkpoint = try Checkpoint(path: folder + "/" + file)
        let source = CheckpointWeightSource(checkpoint: checkpoint)
        var tensors: [String: [Float]] = [:]
        for info in checkpoint.files.flatMap(\.tensorInfos) {
            var values = [Float](repeating: 0, count: info.elementCount)
            try values.withUnsafeMutableBufferPointer { try source.decode(info.name, elements: 0..<$0.count, into: $0) }
            tensors[info.name] = values
        }
        return tensors
    }
}

/// The largest difference between two tensors relative to the largest
/// absolute value of the reference (the scale that autograd's own Float32
/// rounding is relative to).
func relativeDifference(_ found: [Float], _ expected: [Float]) -> Double {
    guard found.count == expected.count else { return .infinity }
    let scale = expected.map { Double(abs($0)) }.max() ?? 0
    let difference = zip(found, expected).map { Double(abs($0 - $1)) }.max() ?? 0
    return scale == 0 ? difference : difference / scale
}
