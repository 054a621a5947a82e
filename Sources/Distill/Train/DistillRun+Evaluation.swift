/// `--eval`: when the held-out loss is computed during training.
extension DistillRun {
    /// The evaluation data's mean cross-entropy after `step` of
    /// `totalSteps` steps under the weights `parameters` gives, when one is
    /// due: every `settings.evaluationSteps` steps and after the last.
    func evaluationLoss(
        afterStep step: Int, of totalSteps: Int, parameters: () -> [String: [Float]]
    ) throws -> Double? {
        guard let evaluation, let interval = settings.evaluationSteps, step % interval == 0 || step == totalSteps
        else { return nil }
        return try evaluation.meanLoss(config: student.config, parameters: parameters())
    }
}
