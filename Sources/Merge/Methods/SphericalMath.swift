import Base
import Foundation

/// Spherical means computed on coefficient vectors: a vector of the span
/// Σ aᵢ uᵢ is its coefficients a, and dot products come from the Gram
/// matrix U of the unit vectors, so the arithmetic is on N numbers, not on
/// tensors.
enum SphericalMath {
    static func quadratic(_ a: [Double], _ gram: [[Double]], _ b: [Double]) -> Double {
        var total = 0.0
        for i in a.indices { for j in b.indices { total += a[i] * gram[i][j] * b[j] } }
        return total
    }

    /// Coefficients over the input vectors vᵢ of mergekit's multislerp:
    /// unit vectors uᵢ = vᵢ/(‖vᵢ‖ + ε), weighted mean direction, tangent
    /// components averaged, mapped back, scaled by Σ wᵢ‖vᵢ‖. When the mean
    /// direction vanishes, the weighted sum Σ wᵢ vᵢ (mergekit's two-model
    /// fallback, used for any count).
    static func multislerp(
        gram: [[Double]], weights rawWeights: [Double], normalizesWeights: Bool, epsilon: Double
    ) -> [Double] {
        let count = rawWeights.count
        let total = rawWeights.reduce(0, +)
        let weights = normalizesWeights && total != 0 ? rawWeights.map { $0 / total } : rawWeights
        let norms = (0..<count).map { gram[$0][$0].squareRoot() }
        let scales = norms.map { $0 + epsilon }
        let unitGram = (0..<count).map { i in (0..<count).map { j in gram[i][j] / (scales[i] * scales[j]) } }
        let meanNorm = quadratic(weights, unitGram, weights).squareRoot()
        if meanNorm < epsilon { return weights }
        let mean = weights.map { $0 / meanNorm }
        let dots = (0..<count).map { i in (0..<count).reduce(0.0) { $0 + unitGram[i][$1] * mean[$1] } }
        let weightedDot = zip(weights, dots).reduce(0.0) { $0 + $1.0 * $1.1 }
        let tangent = (0..<count).map { weights[$0] - weightedDot * mean[$0] }
        let tangentNorm = quadratic(tangent, unitGram, tangent).squareRoot() + epsilon
        let averageNorm = zip(norms, weights).reduce(0.0) { $0 + $1.0 * $1.1 }
        return (0..<count).map { i in
            (mean[i] * cos(tangentNorm) + tangent[i] * sin(tangentNorm) / tangentNorm) * averageNorm / scales[i]
        }
    }

    /// Coefficients over the input vectors vᵢ of mergekit's Karcher mean
    /// with equal weights: Riemannian gradient steps on the sphere from the
    /// normalised weighted mean, at most `maxIterations`, stopping when the
    /// tangent norm drops below `tolerance`; scaled by the mean norm. An
    /// angle or a step of exactly zero is no step (θ/sin θ and sin‖t‖/‖t‖
    /// tend to 1 there), also with a tolerance of 0, where mergekit divides
    /// zero by zero.
    static func karcher(gram: [[Double]], maxIterations: Int, tolerance: Double) -> [Double] {
        let count = gram.count
        let alpha = 1 / Double(count)
        let norms = (0..<count).map { gram[$0][$0].squareRoot() }
        let valid = (0..<count).filter { norms[$0] > tolerance }
        guard let first = valid.first else { return Array(repeating: 0, count: count) }
        let unitGram = (0..<count).map { i in
            (0..<count).map { j in norms[i] > 0 && norms[j] > 0 ? gram[i][j] / (norms[i] * norms[j]) : 0 }
        }
        var weights = [Double](repeating: 0, count: count)
        for index in valid { weights[index] = 1 / Double(valid.count) }
        var mean = weights
        let meanNorm = quadratic(mean, unitGram, mean).squareRoot()
        if meanNorm < tolerance || meanNorm == 0 {
            mean = [Double](repeating: 0, count: count)
            mean[first] = 1
        } else {
            mean = mean.map { $0 / meanNorm }
        }
        for _ in 0..<maxIterations {
            var tangent = [Double](repeating: 0, count: count)
            for index in valid {
                let dot = min(1, max(-1, (0..<count).reduce(0.0) { $0 + unitGram[index][$1] * mean[$1] }))
                let theta = acos(dot)
                if theta < tolerance || theta == 0 { continue }
                let factor = weights[index] * theta / sin(theta)
                for j in 0..<count { tangent[j] -= factor * dot * mean[j] }
                tangent[index] += factor
            }
            let tangentNorm = quadratic(tangent, unitGram, tangent).squareRoot()
            if tangentNorm < tolerance || tangentNorm == 0 { break }
            mean = (0..<count).map { cos(tangentNorm) * mean[$0] + sin(tangentNorm) * tangent[$0] / tangentNorm }
            let unitNorm = quadratic(mean, unitGram, mean).squareRoot()
            if unitNorm > tolerance { mean = mean.map { $0 / unitNorm } }
        }
        let scale = norms.reduce(0.0) { $0 + alpha * $1 }
        return (0..<count).map { norms[$0] > 0 ? scale * mean[$0] / norms[$0] : 0 }
    }
}
