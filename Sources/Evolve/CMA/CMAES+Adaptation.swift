import Base
/// The update of mean, evolution paths, covariance and step size after a tell (tutorial, Appendix A).
extension CMAES {
    /// Adapts the distribution to the draws of one generation, best first.
    ///
    /// With bounds, the update learns from the draws m + σ B D z before mirroring, not from the mirrored
    /// points that `ask` returned: CMA-ES then optimises f ∘ mirror over an unbounded space, where every step
    /// is a true N(0, C) sample and the invariances that drive step-size and covariance adaptation hold; an
    /// optimum on the boundary becomes a kink of f ∘ mirror, which CMA-ES converges to like |x|. Learning from
    /// the mirrored points instead (y = (x − m) / σ) was tried and fails: a mirrored step moves along the
    /// coordinate axes, off C's principal axes, so C^(−1/2) y becomes huge in a direction of small variance,
    /// p_σ explodes and σ grows by orders of magnitude when the optimum lies on a bound. The cost is that m
    /// may leave the box; `mean` reports it mirrored, and every candidate is mirrored before it is returned.
    mutating func adapt(ranked draws: [[Double]]) {
        let n = dimension
        let p = parameters
        var steps = [Double](repeating: 0, count: draws.count * n)
        for (k, draw) in draws.enumerated() {
            for i in 0..<n { steps[k * n + i] = (draw[i] - meanVector[i]) / stepSize }
        }

        // ⟨y⟩_w over the μ best, and the mean moves by σ⟨y⟩_w (c_m = 1).
        var meanStep = [Double](repeating: 0, count: n)
        for k in 0..<p.parentCount {
            for i in 0..<n { meanStep[i] += p.weights[k] * steps[k * n + i] }
        }
        for i in 0..<n { meanVector[i] += stepSize * meanStep[i] }

        // p_σ ← (1 − c_σ) p_σ + √(c_σ (2 − c_σ) μ_eff) C^(−1/2) ⟨y⟩_w.
        let cSigma = p.sigmaPathRate
        let whitenedMeanStep = inverseSquareRootOfCovariance(times: meanStep)
        let sigmaPathWeight = (cSigma * (2 - cSigma) * p.effectiveParentCount).squareRoot()
        for i in 0..<n { sigmaPath[i] = (1 - cSigma) * sigmaPath[i] + sigmaPathWeight * whitenedMeanStep[i] }
        sigmaPathDecay *= (1 - cSigma) * (1 - cSigma)
        let sigmaPathLength = sigmaPath.reduce(0) { $0 + $1 * $1 }.squareRoot()

        // h_σ stalls the rank-one path while p_σ is long, i.e. while σ is still growing.
        let stallThreshold = (1.4 + 2 / Double(n + 1)) * p.expectedNormalNorm
        let isPathShort = sigmaPathLength / (1 - sigmaPathDecay).squareRoot() < stallThreshold
        let cC = p.covariancePathRate
        let covariancePathWeight = isPathShort ? (cC * (2 - cC) * p.effectiveParentCount).squareRoot() : 0
        for i in 0..<n { covariancePath[i] = (1 - cC) * covariancePath[i] + covariancePathWeight * meanStep[i] }

        updateCovariance(steps: steps, isPathShort: isPathShort)

        // σ ← σ exp((c_σ / d_σ)(‖p_σ‖ / E‖N(0, I)‖ − 1)); the exponent is capped at 1 as in pycma.
        let logChange = cSigma / p.sigmaDamping * (sigmaPathLength / p.expectedNormalNorm - 1)
        stepSize *= PortableMath.exp(min(1, logChange))

        if generation - eigenGeneration >= p.eigenUpdateInterval { decomposeCovariance() }
    }

    /// C ← (1 + c₁δ(h_σ) − c₁ − c_μ Σw) C + c₁ p_c p_cᵀ + c_μ Σ w°_i y_i y_iᵀ, equation (47), where the
    /// negative weights are rescaled to w°_i = w_i n / ‖C^(−1/2) y_i‖² so the active update stays bounded.
    private mutating func updateCovariance(steps: [Double], isPathShort: Bool) {
        let n = dimension
        let p = parameters
        let cC = p.covariancePathRate
        let c1 = p.rankOneRate
        let cMu = p.rankMuRate
        var rankWeights = p.weights
        for k in p.parentCount..<p.populationSize where rankWeights[k] < 0 {
            let whitened = inverseSquareRootOfCovariance(times: Array(steps[(k * n)..<((k + 1) * n)]))
            let squaredLength = whitened.reduce(0) { $0 + $1 * $1 }
            rankWeights[k] = squaredLength > 0 ? rankWeights[k] * Double(n) / squaredLength : 0
        }
        let varianceLoss = isPathShort ? 0 : c1 * cC * (2 - cC)
        let decay = 1 + varianceLoss - c1 - cMu * p.weights.reduce(0, +)
        let pc = covariancePath
        covariance.withUnsafeMutableBufferPointer { c in
            steps.withUnsafeBufferPointer { y in
                for i in 0..<n {
                    for j in i..<n {
                        var rankMu = 0.0
                        for k in 0..<p.populationSize { rankMu += rankWeights[k] * y[k * n + i] * y[k * n + j] }
                        let value = decay * c[i * n + j] + c1 * pc[i] * pc[j] + cMu * rankMu
                        c[i * n + j] = value
                        c[j * n + i] = value
                    }
                }
            }
        }
    }

    /// Recomputes B and D from C.
    mutating func decomposeCovariance() {
        let n = dimension
        let eigen = SymmetricEigen(symmetric: covariance, dimension: n)
        // Rounding can push an eigenvalue of a positive definite C to or below zero; keep D positive.
        let largest = eigen.eigenvalues.max() ?? 1
        eigenScales = eigen.eigenvalues.map { max($0, largest * 0x1p-52).squareRoot() }
        eigenBasis = eigen.eigenvectors
        eigenGeneration = generation
    }

    /// C^(−1/2) v = B D⁻¹ Bᵀ v.
    func inverseSquareRootOfCovariance(times vector: [Double]) -> [Double] {
        let n = dimension
        var rotated = [Double](repeating: 0, count: n)
        var result = [Double](repeating: 0, count: n)
        eigenBasis.withUnsafeBufferPointer { b in
            for j in 0..<n {
                var sum = 0.0
                for i in 0..<n { sum += b[i * n + j] * vector[i] }
                rotated[j] = sum / eigenScales[j]
            }
            for i in 0..<n {
                var sum = 0.0
                for j in 0..<n { sum += b[i * n + j] * rotated[j] }
                result[i] = sum
            }
        }
        return result
    }
}
