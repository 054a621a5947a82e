/// Hansen's (μ/μ_w, λ)-CMA-ES with active covariance update, as in "The CMA Evolution Strategy: A Tutorial"
/// (arXiv 1604.00772, Table 1 and Appendix A) with pycma's default parameters; it minimises.
///
/// Use it through ask and tell: `ask()` returns a generation of candidates, the caller evaluates them (lower
/// fitness is better) and hands the values to `tell(_:)`, which adapts the mean, step size and covariance.
/// Everything is deterministic: the same settings and told fitness values give bit-identical candidates on
/// any machine, so a killed run resumes by replaying its journal of fitness values through a fresh instance.
public struct CMAES: Sendable {
    /// The settings the run was made with.
    public let settings: CMAESSettings
    let parameters: CMAESParameters
    let bounds: CMAESBounds?

    /// The number of coordinates, n.
    public var dimension: Int { parameters.dimension }
    /// The candidates per generation, λ.
    public var populationSize: Int { parameters.populationSize }
    /// The number of completed generations (tells).
    public private(set) var generation = 0
    /// The number of fitness values told so far.
    public private(set) var evaluationCount = 0
    /// The candidate with the lowest fitness told so far; the start point before the first tell.
    public private(set) var bestSolution: [Double]
    /// The lowest fitness told so far; +infinity before the first tell.
    public private(set) var bestFitness = Double.infinity
    /// The mean of the search distribution, m, mirrored into the box when bounds are set.
    public var mean: [Double] {
        guard let bounds else { return meanVector }
        var mirrored = meanVector
        bounds.mirror(&mirrored)
        return mirrored
    }
    /// The overall step size, σ.
    public var sigma: Double { stepSize }

    var meanVector: [Double]
    var stepSize: Double
    /// C, row-major n × n.
    var covariance: [Double]
    /// B, the eigenvectors of C as columns, row-major n × n.
    var eigenBasis: [Double]
    /// D, the square roots of C's eigenvalues, in B's column order.
    var eigenScales: [Double]
    /// The generation at which B and D were last computed from C.
    var eigenGeneration = 0
    /// p_σ, the conjugate evolution path of the step size.
    var sigmaPath: [Double]
    /// (1 − c_σ)^(2g) after g generations, which corrects the length of p_σ for its zero start in h_σ.
    var sigmaPathDecay = 1.0
    /// p_c, the evolution path of the rank-one update.
    var covariancePath: [Double]
    var random: SeededRandom
    /// The candidates of the last ask, until their fitness is told.
    var pendingCandidates: [[Double]]?
    /// The same candidates before mirroring, m + σ B D z, from which the update learns.
    var pendingDraws: [[Double]] = []

    /// A run starting at `mean` with the distribution N(mean, sigma0² I).
    public init(mean: [Double], settings: CMAESSettings) throws(CMAESError) {
        guard !mean.isEmpty else { throw .emptyMean }
        if let index = mean.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteMean(index: index, value: mean[index])
        }
        guard settings.sigma0.isFinite, settings.sigma0 > 0 else { throw .invalidSigma0(settings.sigma0) }
        let n = mean.count
        let lambda = settings.populationSize ?? CMAESParameters.defaultPopulationSize(dimension: n)
        guard lambda >= 2 else { throw .populationTooSmall(lambda) }
        self.settings = settings
        parameters = CMAESParameters(dimension: n, populationSize: lambda)
        bounds = try CMAESBounds(settings: settings, mean: mean)
        meanVector = mean
        bestSolution = mean
        stepSize = settings.sigma0
        var identity = [Double](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        covariance = identity
        eigenBasis = identity
        eigenScales = [Double](repeating: 1, count: n)
        sigmaPath = [Double](repeating: 0, count: n)
        covariancePath = [Double](repeating: 0, count: n)
        random = SeededRandom(seed: settings.seed)
    }

    /// The generation's λ candidates, in order; each within the bounds when bounds are set.
    ///
    /// Each is m + σ B D z with z standard normal, mirrored into the box (`CMAESBounds`). Asking again before `tell`
    /// returns the same candidates, so a caller that lost them can ask for them again.
    public mutating func ask() -> [[Double]] {
        if let pending = pendingCandidates { return pending }
        let n = dimension
        var candidates: [[Double]] = []
        var draws: [[Double]] = []
        candidates.reserveCapacity(populationSize)
        draws.reserveCapacity(populationSize)
        var scaledNormal = [Double](repeating: 0, count: n)
        for _ in 0..<populationSize {
            for j in 0..<n { scaledNormal[j] = eigenScales[j] * random.nextNormal() }
            var candidate = meanVector
            eigenBasis.withUnsafeBufferPointer { basis in
                for i in 0..<n {
                    var step = 0.0
                    for j in 0..<n { step += basis[i * n + j] * scaledNormal[j] }
                    candidate[i] += stepSize * step
                }
            }
            draws.append(candidate)
            bounds?.mirror(&candidate)
            candidates.append(candidate)
        }
        pendingCandidates = candidates
        pendingDraws = draws
        return candidates
    }

    /// Fitness of the candidates that the last ask returned, in the same order; lower is better.
    ///
    /// Ties rank by candidate order. +infinity is allowed (a failed evaluation); NaN is refused.
    public mutating func tell(_ fitness: [Double]) throws(CMAESError) {
        guard let candidates = pendingCandidates else { throw .tellWithoutAsk }
        guard fitness.count == candidates.count else {
            throw .fitnessCountMismatch(expected: candidates.count, found: fitness.count)
        }
        if let index = fitness.firstIndex(where: \.isNaN) { throw .fitnessIsNaN(index: index) }
        let ranking = fitness.indices.sorted { (fitness[$0], $0) < (fitness[$1], $1) }
        if let best = ranking.first, fitness[best] < bestFitness {
            bestFitness = fitness[best]
            bestSolution = candidates[best]
        }
        pendingCandidates = nil
        generation += 1
        evaluationCount += candidates.count
        adapt(ranked: ranking.map { pendingDraws[$0] })
    }
}
