/// How a CMA-ES run is set up: the initial step size, the seed of its random numbers, and optionally the
/// population size and a box of bounds.
public struct CMAESSettings: Sendable, Equatable {
    /// The number of candidates per generation, λ; nil for the default 4 + ⌊3 ln n⌋ of n coordinates.
    public var populationSize: Int?
    /// The initial step size σ₀, in the units of the coordinates; about a quarter of the search range.
    public var sigma0: Double
    /// The seed of the run's random numbers; the same seed and fitness values give identical candidates.
    public var seed: UInt64
    /// The least value of each coordinate (`-infinity` for none), or nil for no lower bounds.
    public var lowerBounds: [Double]?
    /// The greatest value of each coordinate (`+infinity` for none), or nil for no upper bounds.
    public var upperBounds: [Double]?

    /// Settings with the given step size and seed; the population size defaults to 4 + ⌊3 ln n⌋.
    public init(
        sigma0: Double, seed: UInt64, populationSize: Int? = nil, lowerBounds: [Double]? = nil,
        upperBounds: [Double]? = nil
    ) {
        self.sigma0 = sigma0
        self.seed = seed
        self.populationSize = populationSize
        self.lowerBounds = lowerBounds
        self.upperBounds = upperBounds
    }
}
