import Base
import Checkpoint
import Model

/// What OUT holds: the student's weights (LoRA merged in) or, with
/// `--save-adapter`, the adapters alone in PEFT's format; the files given
/// beside them, `train-log.csv` and `train-loss.svg`.
extension DistillRun {
    /// The header of `train-log.csv`, with `eval_loss` when the run evaluates.
    var logHeader: String {
        evaluation == nil ? Self.logHeader : Self.logHeader.dropLast() + ",eval_loss\n"
    }

    /// OUT's tensors in file order: the name they are read under, the name written, the shape.
    private var outputLayout: [(name: String, savedName: String, shape: [Int])] {
        if settings.savesAdapter, let rank = settings.loraRank {
            return PEFTAdapter.tensors(student.config, rank: rank)
        }
        return TrainableModel.parameterShapes(student.config).map { ($0.name, $0.name, $0.shape) }
    }

    /// Writes the tensors (Float32, in `outputLayout`'s order, one at a
    /// time: the store's, the student's with the adapters merged in, or the
    /// adapters), the extra files, the log and its plot through the
    /// checkpoint writer, and publishes OUT.
    func publish(_ store: ParameterStore, logRows: String) throws -> Manifest {
        let source = settings.savesAdapter ? store : try weights(store)
        let layout = outputLayout
        let tensors = layout.map { OutputTensor(name: $0.savedName, dtype: .f32, shape: $0.shape.map { UInt64($0) }) }
        let writer = try CheckpointWriter(
            outputPath: outputPath, tensors: tensors, shardSizeLimit: 4 << 30,
            singleFileName: settings.savesAdapter ? PEFTAdapter.weightsFileName : "model.safetensors")
        for tensor in layout {
            var values = [Float](repeating: 0, count: tensor.shape.reduce(1, *))
            try values.withUnsafeMutableBufferPointer {
                try source.decode(tensor.name, elements: 0..<$0.count, into: $0)
            }
            try values.withUnsafeBytes { try writer.write(tensor: tensor.savedName, offset: 0, bytes: $0) }
        }
        for file in extraFiles { try writer.addFile(named: file.name, bytes: file.bytes) }
        try writer.addFile(named: Self.logName, bytes: Array((logHeader + logRows).utf8))
        let plot = TrainingPlot.render(
            logRows: logRows, evaluates: evaluation != nil, title: outputPath.lastPathComponent)
        try writer.addFile(named: TrainingPlot.fileName, bytes: Array(plot.utf8))
        let recipe = "smelt distill\n" + identityText
        return try writer.publish(manifest: Manifest(version: smeltVersion, recipe: recipe))
    }
}
