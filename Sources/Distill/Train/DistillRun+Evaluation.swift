import Model

extension DistillRun {
    /// The evaluation loss after step `step` (1-based) when the run
    /// evaluates then (every `--eval-steps` steps and after the last),
    /// with the weights `source` gives; nil otherwise.
    func evaluationLoss(
        afterStep step: Int, of totalSteps: Int, source: () throws -> any LayerWeightSource
    ) throws -> Double? {
        guard let evaluation, let interval = settings.evaluationSteps, step % interval == 0 || step == totalSteps
        else { return nil }
        return try DistillEvaluation.meanLoss(
            config: student.config, source: try source(), records: evaluation.records, threads: threads,
            budget: budget)
    }
}
