import Base
/// The strategy parameters of (μ/μ_w, λ)-CMA-ES for a dimension and population size: Table 1 of Hansen,
/// "The CMA Evolution Strategy: A Tutorial" (arXiv 1604.00772), with the defaults of pycma where the tutorial
/// leaves a choice (c₁ scaled by min(1, λ/6); the ¼ offset in c_μ).
struct CMAESParameters: Sendable, Equatable {
    /// n, the number of coordinates.
    let dimension: Int
    /// λ, the candidates per generation.
    let populationSize: Int
    /// μ = ⌊λ/2⌋, the candidates with positive recombination weights.
    let parentCount: Int
    /// w₁ … w_λ for the ranks, best first: μ positive weights summing to 1, then the negative (active) weights.
    let weights: [Double]
    /// μ_eff = 1 / Σ w_i² over the positive weights.
    let effectiveParentCount: Double
    /// c_σ, the learning rate of the step-size path.
    let sigmaPathRate: Double
    /// d_σ, the damping of the step-size update.
    let sigmaDamping: Double
    /// c_c, the learning rate of the covariance path.
    let covariancePathRate: Double
    /// c₁, the learning rate of the rank-one update.
    let rankOneRate: Double
    /// c_μ, the learning rate of the rank-μ update.
    let rankMuRate: Double
    /// E‖N(0, I)‖ ≈ √n (1 − 1/(4n) + 1/(21n²)).
    let expectedNormalNorm: Double
    /// Generations between eigendecompositions of C: max(1, ⌊1 / (10 n (c₁ + c_μ))⌋) (tutorial, B.2).
    let eigenUpdateInterval: Int

    /// The default population size 4 + ⌊3 ln n⌋.
    static func defaultPopulationSize(dimension: Int) -> Int {
        4 + Int((3 * PortableMath.log(Double(dimension))).rounded(.down))
    }

    init(dimension: Int, populationSize: Int) {
        let n = Double(dimension)
        let lambda = populationSize
        let mu = lambda / 2
        self.dimension = dimension
        self.populationSize = lambda
        self.parentCount = mu

        // w'_i = ln((λ + 1) / 2) − ln i, equation (49).
        let logHalf = PortableMath.log(Double(lambda + 1) / 2)
        let rawWeights = (1...lambda).map { logHalf - PortableMath.log(Double($0)) }
        let positive = rawWeights[..<mu]
        let negative = rawWeights[mu...]
        let positiveSum = positive.reduce(0, +)
        let muEff = positiveSum * positiveSum / positive.reduce(0) { $0 + $1 * $1 }
        let negativeSum = negative.reduce(0, +)
        let negativeSquares = negative.reduce(0) { $0 + $1 * $1 }
        let muEffNegative = negativeSquares > 0 ? negativeSum * negativeSum / negativeSquares : 0
        effectiveParentCount = muEff

        // Equations (55)–(58) of Table 1.
        sigmaPathRate = (muEff + 2) / (n + muEff + 5)
        sigmaDamping = 1 + 2 * max(0, ((muEff - 1) / (n + 1)).squareRoot() - 1) + sigmaPathRate
        covariancePathRate = (4 + muEff / n) / (n + 4 + 2 * muEff / n)
        let alphaCov = 2.0
        let c1 = min(1, Double(lambda) / 6) * alphaCov / ((n + 1.3) * (n + 1.3) + muEff)
        let cMu = min(1 - c1, alphaCov * (0.25 + muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + alphaCov * muEff / 2))
        rankOneRate = c1
        rankMuRate = cMu

        // Negative weights, equation (53): scaled so that C stays positive definite and the active update
        // removes about as much variance as the positive one adds.
        let alphaMuNegative = 1 + c1 / cMu
        let alphaMuEffNegative = 1 + 2 * muEffNegative / (muEff + 2)
        let alphaPosDefNegative = (1 - c1 - cMu) / (n * cMu)
        let negativeScale = min(alphaMuNegative, alphaMuEffNegative, alphaPosDefNegative)
        weights =
            positive.map { $0 / positiveSum }
            + negative.map { negativeSum < 0 ? -negativeScale * $0 / negativeSum : 0 }

        expectedNormalNorm = n.squareRoot() * (1 - 1 / (4 * n) + 1 / (21 * n * n))
        let interval = 1 / (10 * n * (c1 + cMu))
        eigenUpdateInterval = interval >= 2 ? Int(interval.rounded(.down)) : 1
    }
}
