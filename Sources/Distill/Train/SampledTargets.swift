import Base
import Model

/// Training targets from a sampled cache: random-sampling distillation
/// (Anshumann et al. 2025, "Sparse Logit Sampling", arXiv 2503.16870,
/// §3). At each position the cache holds the distinct tokens of N draws
/// from a proposal q, how often each was drawn (c_i) and the teacher's
/// log-probability of each (log p_i, at temperature 1). The target is the
/// self-normalised importance estimate of the teacher's distribution,
/// p̂_i = (c_i · p_i / q_i) / Σ_j (c_j · p_j / q_j), an estimate whose
/// expected gradient is the full distillation's.
///
/// At temperature 1 the proposal is the teacher, so p̂_i = c_i / N. At
/// temperature T the draws come from q_i = p_i^(1/T) / Z_T; the ratio
/// p_i / q_i = p_i^(1 − 1/T) · Z_T, and Z_T (over the whole vocabulary,
/// not stored) is the same for every entry of a position and cancels in
/// the normalisation, so the stored log-probabilities give the weights
/// exactly.
public enum SampledTargets {
    /// The log of each entry's normalised weight p̂_i, in the entries'
    /// order: their exponentials sum to 1 (no entries: none).
    public static func logWeights(counts: [UInt16], logProbabilities: [Float], temperature: Double) -> [Float] {
        guard !counts.isEmpty else { return [] }
        let exponent = 1 - 1 / temperature
        let logs = zip(counts, logProbabilities).map { count, logProbability in
            PortableMath.log(Double(count)) + exponent * Double(logProbability)
        }
        // checked: counts is not empty, so neither is logs
        let largest = logs.max()!
        let logTotal = largest + PortableMath.log(logs.reduce(0) { $0 + PortableMath.exp($1 - largest) })
        return logs.map { Float($0 - logTotal) }
    }

    /// The training record of a sampled cache record: its tokens, the
    /// loss mask `lossMask` and at each of its `n − 1` positions the
    /// entries drawn with their log-weights (the loss head's softmax over
    /// them then gives back p̂ itself).
    public static func trainingRecord(
        _ record: SampledRecord<Float>, lossMask: [Bool], temperature: Double
    ) -> TrainingRecord {
        let positions = record.positions.dropLast()
        return TrainingRecord(
            ids: record.ids, lossMask: lossMask, targetIDs: positions.map(\.ids),
            targetLogProbabilities: positions.map {
                logWeights(counts: $0.counts, logProbabilities: $0.logProbabilities, temperature: temperature)
            })
    }
}
